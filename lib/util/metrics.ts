/**
 * One-line metric declarations on an explicit registry (never prom-client's global one), for the
 * components that declare a handful of plain counters and gauges.
 */
import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'

/** The metric's name, its help text and its label names (none by default). */
type Spec<L extends string> = readonly [name: string, help: string, labelNames?: readonly L[]]

const options = <L extends string>(registry: Registry, [name, help, labelNames = []]: Spec<L>) => ({
  name,
  help,
  labelNames,
  registers: [registry],
})

export const counter = <L extends string = never>(r: Registry, ...s: Spec<L>) => new Counter<L>(options(r, s))

export const gauge = <L extends string = never>(r: Registry, ...s: Spec<L>) => new Gauge<L>(options(r, s))
