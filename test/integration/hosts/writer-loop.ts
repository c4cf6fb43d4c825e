// Child process for kill.test.ts: rewrites the hosts file between two replicas forever.
import { writeHostsFile } from '../../../lib/sinks/hosts/writer.ts'
import { views } from './views.ts'

const path = process.argv[2] ?? ''
let i = 0
writeHostsFile(path, views[0])
process.stdout.write('ready\n')
for (;;) writeHostsFile(path, views[++i % 2] ?? views[0])
