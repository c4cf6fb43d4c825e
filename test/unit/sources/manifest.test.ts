import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ManifestError, parseManifest } from '../../../lib/sources/manifest.ts'
import { readSource } from '../../../lib/sources/read.ts'
import { Readable } from 'node:stream'

const svc = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n'

for (const c of [
  { name: 'one object', text: svc, kinds: ['Service'] },
  {
    name: 'multi-document with empty ones',
    text: `---\n${svc}---\n---\n${svc.replace('Service', 'Pod')}---\n`,
    kinds: ['Service', 'Pod'],
  },
  {
    name: 'kubectl List',
    text: `apiVersion: v1\nkind: List\nitems:\n- kind: Node\n  metadata: {name: n}\n- kind: Pod\n  metadata: {name: p}\nmetadata: {resourceVersion: ""}\n`,
    kinds: ['Node', 'Pod'],
  },
  {
    name: 'typed list items get the kind',
    text: 'apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: p}\n',
    kinds: ['Pod'],
  },
  {
    name: 'JSON object',
    text: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [{ kind: 'Service', metadata: { name: 's' } }],
    }),
    kinds: ['Service'],
  },
  { name: 'empty input', text: '', kinds: [] },
  { name: 'comments only', text: '# nothing\n', kinds: [] },
  {
    name: 'unknown kinds pass through (skipped later)',
    text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
    kinds: ['ConfigMap'],
  },
]) {
  test(`parseManifest: ${c.name}`, () => {
    const got = parseManifest(c.text, 'in.yaml') as { kind: string }[]
    assert.deepEqual(
      got.map((o) => o.kind),
      c.kinds,
    )
  })
}

for (const c of [
  { name: 'not YAML', text: 'a: [1\nb: }', message: /^in.yaml: not valid YAML: / },
  { name: 'bad JSON', text: '{"kind": ', message: /^in.yaml: not valid JSON: / },
  { name: 'a scalar', text: 'hello', message: /^in.yaml: the input is not a Kubernetes object/ },
  { name: 'a mapping without kind', text: 'a: 1', message: /not a Kubernetes object/ },
  {
    name: 'second document is a list',
    text: `${svc}---\n- 1\n`,
    message: /^in.yaml: document 2 is not a Kubernetes object/,
  },
  {
    name: 'List item without kind',
    text: 'kind: List\nitems:\n- metadata: {}\n',
    message: /item 1 is not a Kubernetes object/,
  },
]) {
  test(`parseManifest rejects ${c.name} with one line`, () => {
    assert.throws(
      () => parseManifest(c.text, 'in.yaml'),
      (err: unknown) =>
        err instanceof ManifestError && c.message.test(err.message) && !err.message.includes('\n'),
    )
  })
}

test('readSource reads stdin for - and names missing files', async () => {
  assert.equal(await readSource('-', Readable.from([Buffer.from('kind: '), 'Pod'])), 'kind: Pod')
  await assert.rejects(
    readSource('/nonexistent/x.yaml'),
    /^ManifestError: \/nonexistent\/x.yaml: no such file$/,
  )
})
