/**
 * The chart, rendered by the real helm: lint, the shape of what it renders for several value
 * combinations (flags, privileges, key material), and the values it refuses.
 */
import assert from 'node:assert/strict'
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import {
  CHART_DIR,
  COMBINATIONS,
  at,
  find,
  helmTemplate,
  podSpec,
  render,
  runTool,
  toolsMissing,
  valueArgs,
} from './helm.ts'
import type { K8sObject } from './helm.ts'

const skip = toolsMissing('helm')

/** One key of a Secret's or ConfigMap's data (keys contain dots, so not through at()). */
function dataOf(o: K8sObject, key: string): string {
  const value = (at(o, 'data') as Record<string, unknown>)[key]
  if (typeof value !== 'string') throw new Error(`${o.metadata.name}: no data key ${key}`)
  return value
}

function secretData(o: K8sObject, key: string): string {
  return Buffer.from(dataOf(o, key), 'base64').toString('utf8')
}

function argsOf(workload: K8sObject): readonly string[] {
  const c = podSpec(workload).containers[0]
  assert.ok(c !== undefined)
  return c.args
}

describe('chart: helm lint and render', { skip }, () => {
  for (const combo of COMBINATIONS) {
    it(`lints (--strict): ${combo.name}`, async () => {
      const res = await runTool('helm', ['lint', '--strict', CHART_DIR, ...valueArgs(combo.input)])
      assert.equal(res.code, 0, res.stdout + res.stderr)
      assert.match(res.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/)
    })
  }

  it('defaults: controller flags, replicas, control-plane placement', async () => {
    const { objects } = await render({})
    const dep = find(objects, 'Deployment', '-controller')
    assert.equal(at(dep, 'spec.replicas'), 2)
    const args = argsOf(dep)
    for (const flag of [
      '--dns=gossip',
      '--zone=*/*',
      '--internal-ipv4',
      '--watch-ingress=false',
      '--leader-elect',
      '--leader-elect-namespace=dns',
      '--gossip-listen=0.0.0.0:3998',
      '--gossip-seed=$(HOST_IP):3999',
      '--gossip-secret-file=/etc/dns-controller/gossip/gossip.psk',
      '--publisher-key-file=/etc/dns-controller/publisher/publisher.key',
      '--metrics-listen=$(POD_IP):3990',
    ])
      assert.ok(args.includes(flag), `controller lacks ${flag}: ${args.join(' ')}`)
    const spec = podSpec(dep)
    assert.equal(spec['hostNetwork'], false)
    assert.equal(spec['dnsPolicy'], 'ClusterFirst')
    const terms = at(
      spec,
      'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms',
    )
    assert.match(JSON.stringify(terms), /node-role.kubernetes.io\/control-plane/)
    assert.match(JSON.stringify(spec['tolerations']), /node-role.kubernetes.io\/control-plane/)
    assert.deepEqual(at(spec, 'securityContext.runAsNonRoot'), true)
    const probe = at(spec, 'containers.0.readinessProbe.httpGet') as { path: string; port: string }
    assert.deepEqual(probe, { path: '/readyz', port: 'metrics' })
    assert.equal(at(spec, 'containers.0.livenessProbe.httpGet.path'), '/healthz')
    assert.equal(at(spec, 'containers.0.securityContext.readOnlyRootFilesystem'), true)
  })

  it('defaults: the agent runs on every node, writes /etc/hosts, and binds no privileged port', async () => {
    const { objects } = await render({})
    const ds = find(objects, 'DaemonSet', '-agent')
    const spec = podSpec(ds)
    assert.equal(spec['hostNetwork'], true)
    assert.deepEqual(spec['tolerations'], [{ operator: 'Exists' }])
    const args = argsOf(ds)
    for (const flag of [
      'agent',
      '--gossip-listen=0.0.0.0:3999',
      '--gossip-seed-service=dns/r-dns-controller-seeds',
      '--trusted-publisher-key-file=/etc/dns-controller/trust/publisher.pub',
      '--state-dir=/var/lib/dns-controller',
      '--hosts-file=/host/etc/hosts',
      '--dns-listen=$(POD_IP):1053',
      '--zone=local',
      '--metrics-listen=$(POD_IP):3991',
    ])
      assert.ok(args.includes(flag), `agent lacks ${flag}: ${args.join(' ')}`)
    const volumes = spec.volumes ?? []
    assert.deepEqual(
      at(
        volumes.find((v) => v['name'] === 'hosts'),
        'hostPath',
      ),
      {
        path: '/etc/hosts',
        type: 'File',
      },
    )
    assert.deepEqual(
      at(
        volumes.find((v) => v['name'] === 'state'),
        'hostPath',
      ),
      {
        path: '/var/lib/dns-controller',
        type: 'DirectoryOrCreate',
      },
    )
    const caps = at(spec, 'containers.0.securityContext.capabilities') as { drop: string[]; add?: string[] }
    assert.deepEqual(caps, { drop: ['ALL'] })
    // The private key never reaches a node that runs only the agent.
    assert.doesNotMatch(JSON.stringify(spec), /publisher\.key|-publisher"/)
  })

  it('defaults: generated key material is well formed and the agents trust the right key', async () => {
    const { objects } = await render({})
    const psk = secretData(find(objects, 'Secret', '-gossip'), 'gossip.psk')
    assert.match(psk, /^[A-Za-z0-9]{64}$/)
    const publisher = find(objects, 'Secret', '-publisher')
    const key = createPrivateKey(secretData(publisher, 'publisher.key'))
    assert.equal(key.asymmetricKeyType, 'ed25519')
    const trust = dataOf(find(objects, 'ConfigMap', '-trust'), 'publisher.pub')
    const trusted = new X509Certificate(trust).publicKey.export({ type: 'spki', format: 'der' })
    assert.deepEqual(trusted, createPublicKey(key).export({ type: 'spki', format: 'der' }))
  })

  it('defaults: least-privilege RBAC', async () => {
    const { objects } = await render({})
    const clusterRoles = objects.filter((o) => o.kind === 'ClusterRole')
    assert.deepEqual(
      clusterRoles.map((o) => o.metadata.name),
      ['r-dns-controller-controller'],
    )
    assert.deepEqual(at(clusterRoles[0], 'rules'), [
      { apiGroups: [''], resources: ['services', 'pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ])
    assert.equal(
      objects.find((o) => o.kind === 'Role' && o.metadata.name.endsWith('-controller-apiserver')),
      undefined,
      'no EndpointSlice access without clusterName',
    )
    assert.deepEqual(at(find(objects, 'Role', '-controller'), 'rules'), [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ])
    const agentRole = find(objects, 'Role', '-agent')
    assert.equal(agentRole.metadata.namespace, 'dns')
    assert.deepEqual(at(agentRole, 'rules'), [
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    ])
  })

  it('kOps-like values: hostNetwork, IPv6, port 53, ingress, secondary network', async () => {
    const combo = COMBINATIONS[1]
    assert.ok(combo !== undefined)
    const { objects } = await render(combo.input)
    const dep = find(objects, 'Deployment', '-controller')
    const spec = podSpec(dep)
    assert.equal(spec['hostNetwork'], true)
    assert.equal(spec['dnsPolicy'], 'Default')
    assert.deepEqual(at(dep, 'spec.strategy.rollingUpdate'), { maxSurge: 0, maxUnavailable: 1 })
    const cargs = argsOf(dep)
    for (const flag of [
      '--internal-ipv6',
      '--watch-ingress=true',
      '--zone=mycluster.k8s.local',
      '--gossip-listen=[::]:3998',
      '--gossip-seed=[$(HOST_IP)]:3999',
      '--gossip-protocol-secondary=libp2p',
      '--gossip-listen-secondary=[::]:3993',
      '--metrics-listen=[$(POD_IP)]:3990',
    ])
      assert.ok(cargs.includes(flag), `controller lacks ${flag}: ${cargs.join(' ')}`)
    assert.match(JSON.stringify(spec), /"KUBERNETES_SERVICE_HOST","value":"127.0.0.1"/)
    const ds = find(objects, 'DaemonSet', '-agent')
    const aargs = argsOf(ds)
    for (const flag of [
      '--dns-listen=[$(POD_IP)]:53',
      '--upstream=[fd00::a]:53',
      '--gossip-listen-secondary=[::]:4000',
    ])
      assert.ok(aargs.includes(flag), `agent lacks ${flag}: ${aargs.join(' ')}`)
    assert.deepEqual(at(podSpec(ds), 'containers.0.securityContext.capabilities'), {
      drop: ['ALL'],
      add: ['NET_BIND_SERVICE'],
    })
    const ingressRule = {
      apiGroups: ['networking.k8s.io'],
      resources: ['ingresses'],
      verbs: ['get', 'list', 'watch'],
    }
    assert.ok(
      (at(find(objects, 'ClusterRole', '-controller'), 'rules') as unknown[]).some(
        (r) => JSON.stringify(r) === JSON.stringify(ingressRule),
      ),
    )
    const seedPorts = at(find(objects, 'Service', '-seeds'), 'spec.ports') as { name: string }[]
    assert.deepEqual(
      seedPorts.map((p) => p.name),
      ['gossip', 'gossip-secondary'],
    )
    assert.match(secretData(find(objects, 'Secret', '-gossip-secondary'), 'gossip.psk'), /^[A-Za-z0-9]{64}$/)
  })

  it('existing Secrets: nothing generated, agents take no token and no API access', async () => {
    const combo = COMBINATIONS[2]
    assert.ok(combo !== undefined)
    const { objects } = await render(combo.input)
    assert.deepEqual(
      objects.filter((o) => o.kind === 'Secret'),
      [],
    )
    assert.equal(objects.filter((o) => o.kind === 'Role' && o.metadata.name.endsWith('-agent')).length, 0)
    assert.equal(objects.filter((o) => o.kind === 'Service' && o.metadata.name.endsWith('-dns')).length, 0)
    const ds = find(objects, 'DaemonSet', '-agent')
    assert.equal(podSpec(ds)['automountServiceAccountToken'], false)
    const aargs = argsOf(ds)
    assert.ok(aargs.includes('--gossip-seed=10.0.0.10:3999'))
    assert.ok(
      !aargs.some(
        (a) =>
          a.startsWith('--hosts-file') ||
          a.startsWith('--dns-listen') ||
          a.startsWith('--gossip-seed-service'),
      ),
    )
    assert.match(dataOf(find(objects, 'ConfigMap', '-trust'), 'publisher.pub'), /BEGIN PUBLIC KEY/)
    const vols = JSON.stringify(podSpec(find(objects, 'Deployment', '-controller')).volumes)
    assert.match(vols, /"secretName":"my-gossip"/)
    assert.match(vols, /"secretName":"my-publisher"/)
  })

  it('CoreDNS ConfigMap: a server block per zone forwarding to the fixed address', async () => {
    const combo = COMBINATIONS[3]
    assert.ok(combo !== undefined)
    const { objects } = await render(combo.input)
    const cm = find(objects, 'ConfigMap', 'coredns-custom')
    assert.equal(cm.metadata.namespace, 'kube-system')
    assert.equal(
      dataOf(cm, 'dns-controller.server'),
      'k8s.local:53 {\n    errors\n    forward . 10.0.0.53\n}\n',
    )
    const svc = find(objects, 'Service', '-dns')
    assert.equal(at(svc, 'spec.clusterIP'), '10.0.0.53')
    assert.equal(at(svc, 'spec.internalTrafficPolicy'), 'Local')
    assert.equal(
      secretData(find(objects, 'Secret', '-gossip'), 'gossip.psk'),
      'a-secret-of-at-least-16-chars',
    )
    const aargs = argsOf(find(objects, 'DaemonSet', '-agent'))
    assert.ok(
      aargs.includes(
        '--trusted-publisher-key-file=/etc/dns-controller/trust/publisher.pub,/etc/dns-controller/trust/extra-0.pub',
      ),
    )
  })

  it('CoreDNS block: no cache by default; coredns.cache adds cache and serve_stale', async () => {
    const fixed = ['agent.dns.service.clusterIP=10.0.0.53', 'coredns.customConfigMap.enabled=true']
    const block = async (set: string[]): Promise<string> =>
      dataOf(
        find((await render({ set: [...fixed, ...set] })).objects, 'ConfigMap', 'coredns-custom'),
        'dns-controller.server',
      )
    assert.equal(await block([]), 'k8s.local:53 {\n    errors\n    forward . 10.0.0.53\n}\n')
    assert.equal(
      await block(['coredns.cache.ttl=5', 'coredns.cache.serveStale=1h']),
      'k8s.local:53 {\n    errors\n    cache 5 {\n        serve_stale 1h\n    }\n    forward . 10.0.0.53\n}\n',
    )
    assert.equal(
      await block(['coredns.cache.ttl=2']),
      'k8s.local:53 {\n    errors\n    cache 2\n    forward . 10.0.0.53\n}\n',
    )
  })

  it('DNS Service: trafficDistribution PreferSameNode on Kubernetes 1.34+, absent before', async () => {
    const svc = find((await render({})).objects, 'Service', '-dns')
    assert.equal(at(svc, 'spec.trafficDistribution'), 'PreferSameNode')
    assert.equal(at(svc, 'spec.internalTrafficPolicy'), 'Cluster')
    const old = await runTool('helm', [
      'template',
      'r',
      CHART_DIR,
      '--kube-version',
      '1.33.0',
      '--show-only',
      'templates/services.yaml',
    ])
    assert.equal(old.code, 0, old.stderr)
    assert.doesNotMatch(old.stdout, /trafficDistribution/)
    const off = find(
      (await render({ set: ['agent.dns.service.trafficDistribution='] })).objects,
      'Service',
      '-dns',
    )
    assert.equal((at(off, 'spec') as Record<string, unknown>)['trafficDistribution'], undefined)
  })

  it('keys made by `dns-controller keygen` go in with --set-file, as docs/operations.md says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsc-keygen-'))
    const cli = join(import.meta.dirname, '../../../cmd/dns-controller.ts')
    await promisify(execFile)(process.execPath, [cli, 'keygen', '--out', dir])
    const file = (name: string): string => readFileSync(join(dir, name), 'utf8')
    const { objects } = await render({
      setFile: [
        `gossip.secret=${join(dir, 'gossip.psk')}`,
        `publisher.privateKey=${join(dir, 'publisher.key')}`,
        `publisher.publicKey=${join(dir, 'publisher.pub')}`,
      ],
    })
    assert.equal(secretData(find(objects, 'Secret', '-gossip'), 'gossip.psk'), file('gossip.psk'))
    assert.equal(secretData(find(objects, 'Secret', '-publisher'), 'publisher.key'), file('publisher.key'))
    assert.equal(dataOf(find(objects, 'ConfigMap', '-trust'), 'publisher.pub'), file('publisher.pub'))
  })

  it('a supplied private key gets a matching certificate for the agents', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsc-chart-'))
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    writeFileSync(join(dir, 'publisher.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }))
    const { objects } = await render({ setFile: [`publisher.privateKey=${join(dir, 'publisher.key')}`] })
    const trust = dataOf(find(objects, 'ConfigMap', '-trust'), 'publisher.pub')
    assert.deepEqual(
      new X509Certificate(trust).publicKey.export({ type: 'spki', format: 'der' }),
      publicKey.export({ type: 'spki', format: 'der' }),
    )
  })

  it('agent.dns.address: DNS on a node-local address instead of the node IP', async () => {
    for (const c of [
      { address: '169.254.20.11', flag: '--dns-listen=169.254.20.11:1053' },
      { address: 'fd00::53', flag: '--dns-listen=[fd00::53]:1053' },
    ]) {
      const { objects } = await render({
        set: [`agent.dns.address=${c.address}`, 'agent.dns.service.enabled=false'],
      })
      const args = argsOf(find(objects, 'DaemonSet', '-agent'))
      assert.ok(args.includes(c.flag), args.join(' '))
    }
  })

  it('controller.clusterName: --cluster-name and --api-external-address, EndpointSlice access in default only', async () => {
    const { objects } = await render({
      set: [
        'controller.clusterName=c1.k8s.local',
        'controller.apiExternalAddresses={203.0.113.5,203.0.113.6}',
      ],
    })
    const args = argsOf(find(objects, 'Deployment', '-controller'))
    for (const flag of [
      '--cluster-name=c1.k8s.local',
      '--api-external-address=203.0.113.5',
      '--api-external-address=203.0.113.6',
    ])
      assert.ok(args.includes(flag), args.join(' '))
    const role = find(objects, 'Role', '-controller-apiserver')
    assert.equal(role.metadata.namespace, 'default')
    assert.deepEqual(at(role, 'rules'), [
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
    ])
    const binding = find(objects, 'RoleBinding', '-controller-apiserver')
    assert.equal(binding.metadata.namespace, 'default')
    assert.deepEqual(at(binding, 'subjects'), [
      { kind: 'ServiceAccount', name: 'r-dns-controller-controller', namespace: 'dns' },
    ])
  })

  it('gossip.insecure: no gossip Secret, no key mounted, --gossip-insecure on both sides', async () => {
    const { objects } = await render({ set: ['gossip.insecure=true'] })
    assert.equal(objects.filter((o) => o.kind === 'Secret' && o.metadata.name.endsWith('-gossip')).length, 0)
    for (const w of [find(objects, 'Deployment', '-controller'), find(objects, 'DaemonSet', '-agent')]) {
      const args = argsOf(w)
      assert.ok(args.includes('--gossip-insecure'), args.join(' '))
      assert.ok(!args.some((a) => a.startsWith('--gossip-secret-file')), args.join(' '))
      assert.doesNotMatch(JSON.stringify(podSpec(w).volumes), /-gossip"/)
    }
  })

  const refused: readonly { name: string; set: readonly string[]; message: RegExp }[] = [
    { name: 'replicas not a number', set: ['controller.replicas=two'], message: /controller\/replicas/ },
    { name: 'gossip secret too short', set: ['gossip.secret=short'], message: /gossip\/secret/ },
    { name: 'misspelt value', set: ['agent.hostFile.enabled=false'], message: /hostFile/ },
    { name: 'bad ipFamily', set: ['ipFamily=dual'], message: /ipFamily/ },
    {
      name: 'clusterName not a DNS name',
      set: ['controller.clusterName=My_Cluster'],
      message: /clusterName/,
    },
    { name: 'CoreDNS zone "local"', set: ['coredns.zones[0]=local'], message: /coredns.zones: "local"/ },
    {
      name: 'CoreDNS zone "cluster.local"',
      set: ['coredns.zones[0]=cluster.local.'],
      message: /cluster.local/,
    },
    {
      name: 'existing publisher Secret without its public key',
      set: ['publisher.existingSecret=mine'],
      message: /publisher.existingSecret needs publisher.publicKey/,
    },
    {
      name: 'CoreDNS ConfigMap without the DNS address',
      set: ['coredns.customConfigMap.enabled=true'],
      message: /set agent.dns.service.clusterIP/,
    },
    {
      name: 'DNS on a fixed address behind the DNS Service',
      set: ['agent.dns.address=169.254.20.11'],
      message: /set agent.dns.service.enabled=false/,
    },
    { name: 'static seed without port', set: ['agent.seeds.static[0]=10.0.0.1'], message: /seeds\/static/ },
  ]
  for (const c of refused) {
    it(`refuses: ${c.name}`, async () => {
      const res = await helmTemplate({ set: c.set })
      assert.notEqual(res.code, 0, `rendered although ${c.name}`)
      assert.match(res.stderr, c.message)
    })
  }
})
