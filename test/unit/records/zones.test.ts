import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  checkZoneFlag,
  gossipZones,
  isGossipClusterName,
  parseZoneRules,
  parseZoneSpec,
  permittedZoneOf,
} from '../../../lib/records/zones.ts'

// kOps' own test case
for (const c of [
  { input: 'example.com', name: 'example.com.', id: '' },
  { input: 'example.com.', name: 'example.com.', id: '' },
  { input: 'example.com/1234', name: 'example.com.', id: '1234' },
  { input: 'example.com./1234', name: 'example.com.', id: '1234' },
  { input: '*/1234', name: '', id: '1234' },
]) {
  test(`kOps case: parseZoneSpec(${c.input})`, () =>
    assert.deepEqual(parseZoneSpec(c.input), { name: c.name, id: c.id }))
}

// kOps' own test case
for (const c of [
  { flags: ['*'], explicit: [], wildcard: true },
  { flags: ['*/*'], explicit: [], wildcard: true },
  { flags: [], explicit: [], wildcard: true },
  { flags: ['*/1234'], explicit: [{ name: '', id: '1234' }], wildcard: false },
  { flags: ['example.com'], explicit: [{ name: 'example.com.', id: '' }], wildcard: false },
  { flags: ['example.com/1234'], explicit: [{ name: 'example.com.', id: '1234' }], wildcard: false },
]) {
  test(`kOps case: parseZoneRules(${JSON.stringify(c.flags)})`, () =>
    assert.deepEqual(parseZoneRules(c.flags), { explicit: c.explicit, wildcard: c.wildcard }))
}

for (const c of [
  { name: 'no rules → local', flags: [], zones: ['local'] },
  { name: 'wildcard → local', flags: ['*/*'], zones: ['local'] },
  { name: 'named rule only', flags: ['example.com'], zones: ['example.com'] },
  { name: 'named rule, id ignored', flags: ['Example.com./1234'], zones: ['example.com'] },
  {
    name: 'kOps gossip args: dnsZone and */*',
    flags: ['example.com', '*/*'],
    zones: ['example.com', 'local'],
  },
  { name: 'gossip zone id', flags: ['*/gossip:local'], zones: ['local'] },
  { name: 'other id permits nothing', flags: ['*/Z123'], zones: [] },
]) {
  test(`gossipZones: ${c.name}`, () => assert.deepEqual(gossipZones(parseZoneRules(c.flags)), c.zones))
}

for (const c of [
  { name: 'apex', fqdn: 'local.', zones: ['local'], want: 'local' },
  { name: 'under', fqdn: 'api.internal.c.k8s.local.', zones: ['local'], want: 'local' },
  {
    name: 'longest suffix wins',
    fqdn: 'a.b.example.com',
    zones: ['example.com', 'b.example.com'],
    want: 'b.example.com',
  },
  { name: 'suffix of a label is not a zone', fqdn: 'notlocal.', zones: ['local'], want: undefined },
  { name: 'outside', fqdn: 'app.example.com.', zones: ['local'], want: undefined },
  { name: 'no zones', fqdn: 'a.local.', zones: [], want: undefined },
]) {
  test(`permittedZoneOf: ${c.name}`, () => assert.equal(permittedZoneOf(c.fqdn, c.zones), c.want))
}

for (const c of [
  { input: '*', ok: true },
  { input: '*/*', ok: true },
  { input: 'example.com', ok: true },
  { input: 'example.com./1234', ok: true },
  { input: '*/1234', ok: true },
  { input: '', ok: false },
  { input: 'a/b/c', ok: false },
  { input: 'example.com/', ok: false },
  { input: 'exa mple.com', ok: false },
  { input: '*.example.com', ok: false },
]) {
  test(`checkZoneFlag(${JSON.stringify(c.input)})`, () =>
    assert.equal(checkZoneFlag(c.input) === undefined, c.ok))
}

// kOps' own test case
for (const c of [
  { name: 'mycluster.k8s.local', gossip: true },
  { name: 'mycluster.k8s.io', gossip: false },
  { name: 'mycluster.k8s.local.', gossip: true },
  { name: 'k8s.local', gossip: false },
]) {
  test(`kOps case: isGossipClusterName(${c.name})`, () => assert.equal(isGossipClusterName(c.name), c.gossip))
}
