import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { deployCommand } from './deploy.js';
import { gateCommand } from './gate.js';
import { hpaCommand } from './hpa.js';
import { loadCommand } from './load.js';
import { promoteCommand } from './promote.js';
import { regressionCommand } from './regression.js';
import { renderCommand } from './render.js';
import { reportCommand } from './report.js';
import { rollbackCommand } from './rollback.js';
import { simCommand } from './sim.js';
import { statusCommand } from './status.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';

/** Every CLI subcommand, in the order `scalegate --help` lists them. One import and one entry per command. */
export const commands: Command[] = [
  renderCommand,
  validateCommand,
  hpaCommand,
  gateCommand,
  reportCommand,
  regressionCommand,
  simCommand,
  loadCommand,
  deployCommand,
  promoteCommand,
  rollbackCommand,
  statusCommand,
  verifyCommand,
  demoCommand,
];
