import type { CommandModule } from 'yargs'
import { controllerCommand } from './controller.ts'
import { agentCommand } from './agent.ts'
import { renderCommand } from './render.ts'
import { keygenCommand } from './keygen.ts'
import { stateCommand } from './state.ts'
import { demoCommand } from './demo.ts'
import { readyCommand } from './ready.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type
export const commands: readonly CommandModule<any, any>[] = [
  controllerCommand,
  agentCommand,
  renderCommand,
  keygenCommand,
  stateCommand,
  demoCommand,
  readyCommand,
]
