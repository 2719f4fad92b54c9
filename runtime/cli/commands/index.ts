/**
 * The command table: every `lattice` command, in the order `lattice help` lists them. To add one, write
 * `commands/<name>.ts` exporting a Command (see ../command.ts) and add it here.
 */
import type { Command } from '../command.js';
import { config } from './config.js';
import { inbox } from './inbox.js';
import { keygen } from './keygen.js';
import { run } from './run.js';
import { scan } from './scan.js';
import { send } from './send.js';
import { shards } from './shards.js';
import { sim } from './sim.js';
import { status } from './status.js';
import { trace } from './trace.js';

export const COMMANDS: Command[] = [run, send, status, inbox, trace, ...shards, keygen, config, scan, sim];
