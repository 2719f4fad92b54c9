#!/usr/bin/env node
/** Entry point of `lattice` (bin/lattice.js imports the compiled dist/runtime/cli/main.js). */
import { runCli } from './cli.js';
import { processIo } from './io.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
