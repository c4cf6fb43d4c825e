/**
 * Argument lists as kOps generated them, by kOps version (docs/kops-compat.md, "Flags kOps
 * passed"). Controller: the dns-controller addon's container args for a gossip cluster. Agent:
 * the gossip flags of protokube's unit (its other flags, such as --cloud, are protokube's own).
 */
const SECRET = 'kops-era-gossip-secret-20'

export const KOPS_CONTROLLER_ARGS: Readonly<Record<string, readonly string[]>> = {
  // 1.7-1.15: weave mesh only.
  '1.9-1.15': ['--watch-ingress=false', '--dns=gossip', '--gossip-seed=127.0.0.1:3999', '--zone=*/*', '-v=2'],
  // 1.16-1.24: memberlist as a secondary network; no --internal-ipv4/6 yet.
  '1.16-1.24': [
    '--watch-ingress=false',
    '--dns=gossip',
    '--gossip-seed=127.0.0.1:3999',
    '--gossip-protocol-secondary=memberlist',
    '--gossip-listen-secondary=0.0.0.0:3993',
    '--gossip-seed-secondary=127.0.0.1:4000',
    '--zone=*/*',
    '-v=2',
  ],
  // 1.25-1.36: the same plus the internal address family.
  '1.25-1.36': [
    '--watch-ingress=false',
    '--dns=gossip',
    '--gossip-seed=127.0.0.1:3999',
    '--gossip-protocol-secondary=memberlist',
    '--gossip-listen-secondary=0.0.0.0:3993',
    '--gossip-seed-secondary=127.0.0.1:4000',
    '--internal-ipv4',
    '--zone=*/*',
    '-v=2',
  ],
  // spec.externalDns set, a DNS zone, IPv6-only.
  '1.25-1.36 ipv6 externalDns dnsZone': [
    '--watch-ingress=true',
    '--watch-namespace=kube-system',
    '--dns=gossip',
    '--gossip-seed=127.0.0.1:3999',
    '--gossip-protocol-secondary=memberlist',
    '--gossip-listen-secondary=0.0.0.0:3993',
    '--gossip-seed-secondary=127.0.0.1:4000',
    '--zone=example.com',
    '--internal-ipv6',
    '--zone=*/*',
    '-v=2',
  ],
  // spec.dnsControllerGossipConfig after a mesh -> memberlist migration: memberlist primary.
  '1.16-1.36 dnsControllerGossipConfig memberlist primary': [
    '--watch-ingress=false',
    '--dns=gossip',
    '--gossip-protocol=memberlist',
    '--gossip-listen=0.0.0.0:3993',
    `--gossip-secret=${SECRET}`,
    '--gossip-seed=127.0.0.1:4000',
    '--gossip-protocol-secondary=mesh',
    '--gossip-listen-secondary=0.0.0.0:3998',
    `--gossip-secret-secondary=${SECRET}`,
    '--gossip-seed-secondary=127.0.0.1:3999',
    '--internal-ipv4',
    '--zone=*/*',
    '-v=2',
  ],
  // spec.dnsControllerGossipConfig with mesh primary named explicitly and a secret.
  '1.16-1.36 dnsControllerGossipConfig mesh primary': [
    '--watch-ingress=false',
    '--dns=gossip',
    '--gossip-protocol=mesh',
    '--gossip-listen=0.0.0.0:3998',
    `--gossip-secret=${SECRET}`,
    '--gossip-seed=127.0.0.1:3999',
    '--internal-ipv4',
    '--zone=*/*',
    '-v=2',
  ],
}

export const KOPS_AGENT_ARGS: Readonly<Record<string, readonly string[]>> = {
  // spec.gossipConfig written out with protokube's defaults.
  'mesh + memberlist': [
    '--gossip-protocol=mesh',
    '--gossip-listen=0.0.0.0:3999',
    '--gossip-protocol-secondary=memberlist',
    '--gossip-listen-secondary=0.0.0.0:4000',
    '--gossip-insecure',
    '--v=4',
  ],
  // The secondary switched off: protokube passed the empty value.
  'memberlist only': [
    '--gossip-protocol=memberlist',
    '--gossip-listen=0.0.0.0:3999',
    '--gossip-protocol-secondary=',
    '--gossip-insecure',
    '--v=4',
  ],
}
