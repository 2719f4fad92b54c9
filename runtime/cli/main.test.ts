/** The real entry point as a process: exit statuses and which stream carries what. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { BIN } from '../daemon/testing/relay-process.js';

function lattice(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LATTICE_')));
    // The `lattice` command as installed (bin/lattice.js, the compiled CLI the runner builds first), as the relay
    // process tests run it: through tsx each child spent ~1 s of CPU compiling the CLI's sources.
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: AbortSignal.timeout(60_000),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

test('--version: exit 0, stdout only', async () => {
  const r = await lattice(['--version']);
  assert.is(r.code, 0);
  assert.match(r.out, /^lattice \d+\.\d+\.\d+\n$/);
  assert.is(r.err, '');
});

test('bad config: exit 2, each issue a `path: message` line on stderr', async () => {
  const r = await lattice(['config', '--ip-peer', 'a:0', '--metrics', 'nowhere'], { LATTICE_SIM: 'perhaps' });
  assert.is(r.code, 2);
  assert.is(r.out, '');
  assert.equal(r.err.trimEnd().split('\n'), [
    'LATTICE_SIM: must be true or false (also yes/no, on/off, 1/0), got "perhaps"',
    '--metrics (metrics): "nowhere" is not host:port (e.g. 127.0.0.1:8080)',
    '--ip-peer (ip.peers[0]): port 0 is out of range 1..65535',
  ]);
});

test('usage error: exit 2; no relay: exit 1', async () => {
  // Port 1 on loopback: nothing listens there without privileges. Two processes of their own, run side by side.
  const [usage, none] = await Promise.all([lattice(['frobnicate']), lattice(['status', '--api', '127.0.0.1:1'])]);
  assert.is(usage.code, 2);
  assert.match(usage.err, /unknown command "frobnicate"/);
  assert.is(none.code, 1);
  assert.is(none.err, 'lattice: no relay answering at http://127.0.0.1:1 — start one with `lattice run`\n');
});

test.run();
