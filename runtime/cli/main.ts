#!/usr/bin/env node
/** Entry point of `lattice` (bin/lattice.js imports the compiled dist/runtime/cli/main.js). */
import { runCli } from './cli.js';
import { processIo } from './io.js';

const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
// The command is done; if a socket or timer someone forgot to close still holds the event loop, do not hang a
// stopped relay under systemd/balena forever. The timer is unref'd, so a clean process exits before it fires.
setTimeout(() => {
  process.stderr.write('lattice: exiting although handles are still open (a component did not clean up in stop())\n');
  process.exit(code);
}, 5000).unref();
