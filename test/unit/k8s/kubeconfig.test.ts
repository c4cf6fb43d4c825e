import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inClusterAccess, kubeconfigAccess } from '../../../lib/k8s/kubeconfig.ts'

function withDir(files: Record<string, string>, fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'dnsc-kc-'))
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const kubeconfig = (cluster: string, user: string) => `
apiVersion: v1
kind: Config
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {${cluster}}}]
users: [{name: u, user: {${user}}}]
`

test('kubeconfig: what we read ourselves and what we leave to the library', () => {
  const cases = [
    {
      name: 'token, CA file relative to the kubeconfig, trailing slash dropped',
      cluster: 'server: "https://127.0.0.1:6443/", certificate-authority: ca.crt',
      user: 'token: abc',
      want: { server: 'https://127.0.0.1:6443', auth: 'Bearer abc', ca: 'CA', insecure: false },
    },
    {
      name: 'token file, inline client cert and key, insecure',
      cluster: 'server: "https://h:1", insecure-skip-tls-verify: true',
      user: `tokenFile: tok, client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')}`,
      want: { server: 'https://h:1', auth: 'Bearer from-file', cert: 'CERT', key: 'KEY', insecure: true },
    },
    {
      name: 'basic auth',
      cluster: 'server: "https://h:1"',
      user: 'username: u, password: p',
      want: {
        server: 'https://h:1',
        auth: `Basic ${Buffer.from('u:p').toString('base64')}`,
        insecure: false,
      },
    },
    { name: 'exec plugin', cluster: 'server: "https://h:1"', user: 'exec: {command: aws}', library: 'exec' },
    {
      name: 'auth provider',
      cluster: 'server: "https://h:1"',
      user: 'auth-provider: {name: oidc}',
      library: 'auth-provider',
    },
    {
      name: 'proxy',
      cluster: 'server: "https://h:1", proxy-url: "http://p:3128"',
      user: 'token: t',
      library: 'proxy-url',
    },
  ]
  for (const c of cases)
    withDir({ 'config.yaml': kubeconfig(c.cluster, c.user), 'ca.crt': 'CA', tok: 'from-file\n' }, (dir) => {
      const r = kubeconfigAccess(join(dir, 'config.yaml'))
      if (c.library !== undefined) {
        assert.equal(r.ok, false, c.name)
        if (!r.ok) assert.match(r.reason, new RegExp(c.library), c.name)
        return
      }
      assert.ok(r.ok, c.name)
      if (!r.ok) return
      const a = r.access
      assert.deepEqual(
        {
          server: a.server,
          auth: a.authorization(),
          ...(a.ca ? { ca: a.ca.toString() } : {}),
          ...(a.cert ? { cert: a.cert.toString() } : {}),
          ...(a.key ? { key: a.key.toString() } : {}),
          insecure: a.insecure,
        },
        c.want,
        c.name,
      )
    })
})

test('kubeconfig: a missing context is an error that names it', () => {
  withDir({ 'config.yaml': 'current-context: nope\ncontexts: []\n' }, (dir) => {
    assert.throws(() => kubeconfigAccess(join(dir, 'config.yaml')), /context nope not found/)
  })
})

test('in-cluster: service host and port, token and CA from the service-account dir', () => {
  withDir({ token: 'sa-token\n', 'ca.crt': 'CA' }, (dir) => {
    const a = inClusterAccess({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, dir)
    assert.equal(a.server, 'https://[fd00::1]:6443')
    assert.equal(a.authorization(), 'Bearer sa-token')
    assert.equal(a.ca?.toString(), 'CA')
  })
  assert.throws(() => inClusterAccess({}), /not running in a cluster/)
})
