// End to end in network namespaces: a publisher and AGENTS agents, each in its own namespace
// (veth to a hub namespace with a bridge), each agent writing its namespace's /etc/hosts (the
// /etc/netns bind mount, so in place) and answering DNS on its own 127.0.0.1:53. Inside every
// namespace `getent hosts` and `dig` give the published addresses, and a new version reaches all.
// Needs root and iproute2; creates and always removes its own namespaces only (prefix dnsc-).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Lab, killAll, labSkip, startPublisher, until, writeKeys } from './lab.ts'

const AGENTS = 3
const CLUSTER = 'e2e.k8s.local'
const NAME = `api.internal.${CLUSTER}`
const ROOT = join(import.meta.dirname, '../..')
const lab = new Lab('dnsc', AGENTS, 251) // node 0 = publisher

test(
  `netns: publisher + ${AGENTS} agents, getent and dig in every namespace`,
  { timeout: 120_000, skip: labSkip(['dig', 'getent']) },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-e2e-'))
    const procs: ChildProcess[] = []
    t.after(async () => {
      await killAll(procs)
      lab.cleanup()
      rmSync(dir, { recursive: true, force: true })
    })
    lab.create((i) => ({
      hosts: `127.0.0.1 localhost\n${lab.addr(i)} node-${i}\n`,
      resolvConf: 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n',
    }))
    const keys = writeKeys(dir)
    const publisher = await startPublisher(lab, 0, 3998, keys)
    procs.push(publisher.proc)
    const publish = (addresses: string[]): Promise<number> =>
      publisher.publish([{ name: NAME, type: 'A', values: addresses, ttlSeconds: 60 }])
    await publish(['10.0.0.1', '10.0.0.2'])

    for (let i = 1; i <= AGENTS; i++) {
      const agent = lab.spawn(
        i,
        [
          process.execPath,
          join(ROOT, 'cmd/dns-controller.ts'),
          'agent',
          `--gossip-listen=${lab.addr(i)}:3999`,
          // Agents after the first also seed from the previous agent: the replica spreads peer to peer.
          `--gossip-seed=${i === 1 ? `${lab.addr(0)}:3998` : `${lab.addr(i - 1)}:3999`}`,
          `--gossip-secret-file=${keys.psk}`,
          `--trusted-publisher-key-file=${keys.publicKey}`,
          `--state-dir=${join(dir, `state-${i}`)}`,
          '--hosts-file=/etc/hosts',
          '--dns-listen=127.0.0.1:53',
          '--zone=k8s.local',
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      )
      procs.push(agent)
    }

    const seen = (i: number, address: string): boolean =>
      lab.exec(i, 'getent', 'hosts', NAME).includes(address) &&
      new RegExp(`^${address.replace(/\./g, '\\.')}$`, 'm').test(
        lab.exec(i, 'dig', '+short', '@127.0.0.1', NAME, 'A'),
      )
    for (let i = 1; i <= AGENTS; i++)
      await until(`agent ${i} to serve the first version`, () => seen(i, '10.0.0.2'), 30_000, 200)
    // The hosts file kept the namespace's own lines.
    for (let i = 1; i <= AGENTS; i++)
      assert.match(lab.exec(i, 'getent', 'hosts', `node-${i}`), new RegExp(lab.addr(i)))

    await publish(['10.0.0.3'])
    for (let i = 1; i <= AGENTS; i++) {
      await until(
        `agent ${i} to serve the new version`,
        () => seen(i, '10.0.0.3') && !lab.exec(i, 'getent', 'hosts', NAME).includes('10.0.0.1'),
        30_000,
        200,
      )
    }
  },
)
