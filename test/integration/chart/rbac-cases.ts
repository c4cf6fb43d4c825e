/**
 * What each ServiceAccount of the installed chart may and may not do (SubjectAccessReviews in
 * cluster.test.ts). Releases: r0 defaults in dns-0, r1 with watchIngress and clusterName in dns-1, r2 without a
 * seed Service in dns-2. Grants come first: a denial is only meaningful once grants have propagated.
 */
export interface AccessCase {
  readonly name: string
  /** `<namespace>:<service account>` */
  readonly user: string
  readonly verb: string
  readonly resource: string
  readonly group?: string
  readonly namespace?: string
  readonly allowed: boolean
}

export const ACCESS: readonly AccessCase[] = [
  {
    name: 'controller with clusterName lists the EndpointSlices of default',
    user: 'dns-1:r1-dns-controller-controller',
    verb: 'list',
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
    namespace: 'default',
    allowed: true,
  },
  {
    name: 'controller lists pods everywhere',
    user: 'dns-0:r0-dns-controller-controller',
    verb: 'list',
    resource: 'pods',
    allowed: true,
  },
  {
    name: 'controller watches nodes',
    user: 'dns-0:r0-dns-controller-controller',
    verb: 'watch',
    resource: 'nodes',
    allowed: true,
  },
  {
    name: 'controller creates events',
    user: 'dns-0:r0-dns-controller-controller',
    verb: 'create',
    resource: 'events',
    namespace: 'default',
    allowed: true,
  },
  {
    name: 'controller updates its Lease',
    user: 'dns-0:r0-dns-controller-controller',
    verb: 'update',
    resource: 'leases',
    group: 'coordination.k8s.io',
    namespace: 'dns-0',
    allowed: true,
  },
  {
    name: 'controller: no Leases elsewhere',
    user: 'dns-0:r0-dns-controller-controller',
    verb: 'update',
    resource: 'leases',
    group: 'coordination.k8s.io',
    namespace: 'kube-system',
    allowed: false,
  },
  {
    name: 'controller: no Secrets',
    user: 'dns-0:r0-dns-controller-controller',
    verb: 'get',
    resource: 'secrets',
    namespace: 'dns-0',
    allowed: false,
  },
  {
    name: 'controller: no Ingresses unless watched',
    user: 'dns-0:r0-dns-controller-controller',
    verb: 'list',
    resource: 'ingresses',
    group: 'networking.k8s.io',
    allowed: false,
  },
  {
    name: 'controller with watchIngress lists Ingresses',
    user: 'dns-1:r1-dns-controller-controller',
    verb: 'list',
    resource: 'ingresses',
    group: 'networking.k8s.io',
    allowed: true,
  },
  {
    name: 'agent lists EndpointSlices of its namespace',
    user: 'dns-0:r0-dns-controller-agent',
    verb: 'list',
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
    namespace: 'dns-0',
    allowed: true,
  },
  {
    name: 'agent: no EndpointSlices elsewhere',
    user: 'dns-0:r0-dns-controller-agent',
    verb: 'list',
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
    namespace: 'kube-system',
    allowed: false,
  },
  {
    name: 'agent: no Pods',
    user: 'dns-0:r0-dns-controller-agent',
    verb: 'list',
    resource: 'pods',
    namespace: 'dns-0',
    allowed: false,
  },
  {
    name: 'agent: no Secrets',
    user: 'dns-0:r0-dns-controller-agent',
    verb: 'get',
    resource: 'secrets',
    namespace: 'dns-0',
    allowed: false,
  },
  {
    name: 'agent without seed Service: nothing',
    user: 'dns-2:r2-dns-controller-agent',
    verb: 'list',
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
    namespace: 'dns-2',
    allowed: false,
  },
  {
    name: 'controller with clusterName: no EndpointSlices elsewhere',
    user: 'dns-1:r1-dns-controller-controller',
    verb: 'list',
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
    namespace: 'kube-system',
    allowed: false,
  },
  {
    name: 'controller without clusterName: no EndpointSlices',
    user: 'dns-0:r0-dns-controller-controller',
    verb: 'list',
    resource: 'endpointslices',
    group: 'discovery.k8s.io',
    namespace: 'default',
    allowed: false,
  },
]
