// The render CLI end to end: spawns the real entry point (table, -o json, stdin, exit 2).
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const NODE = join(import.meta.dirname, '../../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../../cmd/dns-controller.ts')

function render(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NODE, [CLI, 'render', ...args], { input, encoding: 'utf8', timeout: 20_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const dir = mkdtempSync(join(tmpdir(), 'render-test-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const manifest = join(dir, 'objects.yaml')
writeFileSync(
  manifest,
  `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: w1, labels: {node-role.kubernetes.io/node: ""}}
  status: {addresses: [{type: InternalIP, address: 10.0.0.2}, {type: ExternalIP, address: 54.0.0.2}]}
- apiVersion: v1
  kind: Service
  metadata:
    name: np
    namespace: default
    annotations: {dns.alpha.kubernetes.io/external: "np.c.k8s.local, Bad_Name.local"}
  spec: {type: NodePort}
- apiVersion: v1
  kind: Pod
  metadata:
    name: kube-apiserver-cp
    namespace: kube-system
    annotations: {dns.alpha.kubernetes.io/internal: api.internal.c.k8s.local}
  spec: {hostNetwork: true, nodeName: cp}
  status:
    podIPs: [{ip: 10.0.0.1}]
    conditions: [{type: Ready, status: "True"}]
`,
)

test('render prints a table and problems on stderr, exit 0', () => {
  const r = render(['-f', manifest])
  assert.equal(r.status, 0, r.stderr)
  assert.equal(
    r.stdout,
    'NAME                      TYPE  TTL  VALUES\n' +
      'api.internal.c.k8s.local  A     60   10.0.0.1\n' +
      'np.c.k8s.local            A     60   54.0.0.2\n',
  )
  assert.equal(
    r.stderr,
    'problem: Service default/np: dns.alpha.kubernetes.io/external: invalid DNS name "Bad_Name.local": label "bad_name" is not a valid RFC 1123 label\n',
  )
})

test('render -o json from stdin', () => {
  const r = render(
    ['-f', '-', '-o', 'json', '--zone=*/*'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', annotations: { 'dns.alpha.kubernetes.io/internal': 'S.local' } },
      spec: { type: 'LoadBalancer' },
      status: { loadBalancer: { ingress: [{ ip: 'fd00::2' }, { ip: '10.9.9.9' }] } },
    }),
  )
  assert.equal(r.status, 0, r.stderr)
  assert.deepEqual(JSON.parse(r.stdout), [
    { name: 's.local', type: 'A', values: ['10.9.9.9'], ttl: 60 },
    { name: 's.local', type: 'AAAA', values: ['fd00::2'], ttl: 60 },
  ])
  assert.equal(r.stderr, '')
})

for (const c of [
  {
    name: 'missing file',
    args: ['-f', join(dir, 'nope.yaml')],
    input: '',
    message: /^dns-controller render: .*nope\.yaml: no such file\n$/,
  },
  {
    name: 'not YAML',
    args: ['-f', '-'],
    input: 'a: [1\nb: }',
    message: /^dns-controller render: stdin: not valid YAML: [^\n]*\(2:1\)\n$/,
  },
  {
    name: 'not Kubernetes objects',
    args: ['-f', '-'],
    input: '- 1\n- 2\n',
    message: /^dns-controller render: stdin: the input is not a Kubernetes object[^\n]*\n$/,
  },
  { name: 'no -f', args: [], input: '', message: /^dns-controller: Missing required argument: filename\n$/ },
  {
    name: 'bad --zone',
    args: ['-f', '-', '--zone', 'a/b/c'],
    input: '',
    message: /^dns-controller: --zone: [^\n]*\n$/,
  },
  {
    name: 'bad -o',
    args: ['-f', '-', '-o', 'yaml'],
    input: '',
    message: /^dns-controller: Invalid values:[\s\S]*output/,
  },
]) {
  test(`render: ${c.name} → exit 2, one clear message, no stack`, () => {
    const r = render(c.args, c.input)
    assert.equal(r.status, 2)
    assert.match(r.stderr, c.message)
    assert.doesNotMatch(r.stderr, /\n\s+at /)
    assert.equal(r.stdout, '')
  })
}
