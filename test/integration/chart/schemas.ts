/**
 * Kubernetes JSON schemas for kubeconform, made offline from a kube-apiserver's OpenAPI v2
 * document (the test API server's /openapi/v2, or swagger.json of the k8s.io/kubernetes module).
 * Same rules as openapi2jsonschema (which builds the published kubeconform schemas):
 *
 *   | OpenAPI v2                           | JSON schema written                          |
 *   | ------------------------------------ | -------------------------------------------- |
 *   | definition with a group/version/kind | <kind>[-<group's first label>]-<version>.json |
 *   | `format: int-or-string`              | oneOf string, integer                         |
 *   | Quantity (typed string only)         | oneOf string, number                          |
 *   | object with `properties` (strict)    | `additionalProperties: false`                 |
 *   | optional typed property              | its type plus "null"                          |
 *   | `x-kubernetes-*` extensions          | dropped                                       |
 *
 * Every file carries the definitions it reaches, so `#/definitions/...` references resolve in place.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
type JsonObject = { [k: string]: Json }

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity'

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function transform(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(transform)
  if (!isObject(schema)) return schema
  if (schema['format'] === 'int-or-string') {
    const { type: _t, format: _f, ...rest } = schema
    return { ...stripExtensions(rest), oneOf: [{ type: 'string' }, { type: 'integer' }] }
  }
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith('x-')) continue
    out[k] = k === 'properties' && isObject(v) ? transformProperties(v, schema['required']) : transform(v)
  }
  if (isObject(out['properties']) && out['additionalProperties'] === undefined)
    out['additionalProperties'] = false
  return out
}

function transformProperties(props: JsonObject, required: Json | undefined): JsonObject {
  const req = new Set(Array.isArray(required) ? required.filter((r) => typeof r === 'string') : [])
  const out: JsonObject = {}
  for (const [name, prop] of Object.entries(props)) {
    const t = transform(prop)
    if (!req.has(name) && isObject(t) && typeof t['type'] === 'string') t['type'] = [t['type'], 'null']
    out[name] = t
  }
  return out
}

function stripExtensions(o: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('x-')))
}

/** The definitions a schema refers to, directly or through others. */
function reachable(root: Json, defs: JsonObject): JsonObject {
  const out: JsonObject = {}
  const queue: Json[] = [root]
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (Array.isArray(next)) queue.push(...next)
    else if (isObject(next)) {
      const ref = next['$ref']
      if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
        const name = ref.slice('#/definitions/'.length)
        const def = defs[name]
        if (out[name] === undefined && def !== undefined) {
          out[name] = def
          queue.push(def)
        }
      }
      queue.push(...Object.values(next))
    }
  }
  return out
}

export function schemaFileName(gvk: { group: string; version: string; kind: string }): string {
  const group = gvk.group === '' ? '' : `-${gvk.group.split('.')[0] ?? ''}`
  return `${gvk.kind.toLowerCase()}${group}-${gvk.version}.json`
}

/** File name → schema, one per group/version/kind of the document. */
export function kubeconformSchemas(openapi: unknown): Map<string, JsonObject> {
  if (!isObject(openapi as Json) || !isObject((openapi as JsonObject)['definitions']))
    throw new Error('not an OpenAPI v2 document (no definitions)')
  const defs = (openapi as { definitions: JsonObject }).definitions
  const transformed: JsonObject = {}
  for (const [name, def] of Object.entries(defs)) transformed[name] = transform(def)
  const quantity = transformed[QUANTITY]
  if (isObject(quantity)) {
    const { type: _t, ...rest } = quantity
    transformed[QUANTITY] = { ...rest, oneOf: [{ type: 'string' }, { type: 'number' }] }
  }
  const files = new Map<string, JsonObject>()
  for (const [name, def] of Object.entries(defs)) {
    const gvks = isObject(def) ? def['x-kubernetes-group-version-kind'] : undefined
    if (!Array.isArray(gvks)) continue
    const body = transformed[name]
    if (!isObject(body)) continue
    for (const gvk of gvks) {
      if (!isObject(gvk)) continue
      const g = {
        group: String(gvk['group'] ?? ''),
        version: String(gvk['version']),
        kind: String(gvk['kind']),
      }
      files.set(schemaFileName(g), { ...body, definitions: reachable(body, transformed) })
    }
  }
  return files
}

/** Writes the schemas into dir; returns kubeconform's -schema-location template for it. */
export async function writeSchemas(openapi: unknown, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true })
  for (const [file, schema] of kubeconformSchemas(openapi))
    await writeFile(join(dir, file), JSON.stringify(schema))
  return join(dir, '{{ .ResourceKind }}{{ .KindSuffix }}.json')
}
