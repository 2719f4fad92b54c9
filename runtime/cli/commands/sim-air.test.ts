/** `lattice sim air` as a process: prints where it listens, serves antennas, stops on SIGINT with its counters. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../daemon/testing/relay-process.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

// test-runner: dist-safe. Compiled, the CLI is the main.js beside this file's folder in dist/ and starts as plain
// node; from source it runs through tsx (which costs each of the three starts ~0.5 s of CPU more).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const MAIN = fileURLToPath(new URL(`../main.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
const MAIN_ARGV = FROM_SOURCE ? ['--import', 'tsx', MAIN] : [MAIN];

function start(args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LATTICE_')));
  const child = spawn(process.execPath, [...MAIN_ARGV, ...args], { env: clean, stdio: ['ignore', 'pipe', 'pipe'], signal: AbortSignal.timeout(30_000) });
  const r = { out: '', err: '', code: undefined as number | null | undefined };
  child.stdout.on('data', (d) => (r.out += d));
  child.stderr.on('data', (d) => (r.err += d));
  child.on('close', (code) => (r.code = code));
  child.on('error', () => undefined);
  return { child, r };
}

test('listens where told, answers an antenna, Ctrl-C (SIGINT) stops it cleanly with its counters', async () => {
  const port = await freePort();
  const { child, r } = start(['sim', 'air', '--tcp', `127.0.0.1:${port}`]);
  await waitFor('listening line', () => r.out.includes(`simulated air listening on 127.0.0.1:${port}`), 20_000);
  const s = connect({ host: '127.0.0.1', port });
  let got = '';
  s.on('data', (d) => (got += d));
  s.write('{"op":"tune","freqHz":869525000,"bwHz":500000,"sf":7,"cr":5,"syncWord":43,"preamble":8}\nnonsense\n{"op":"tx","data":"01"}\n');
  await waitFor('txdone', () => got.includes('"op":"txdone"'), 10_000);
  assert.match(got, /^\{"op":"tuned"\}\n\{"op":"txdone","airtimeMs":[\d.]+\}\n$/);
  s.destroy();
  child.kill('SIGINT');
  await waitFor('exit', () => r.code !== undefined, 10_000);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /air stopped: 1 frames, 0 deliveries, 0 collisions, 0 half-duplex losses, 0 busy, 1 ignored lines/);
});

test('usage errors: no --tcp, a bad address', async () => {
  for (const [args, message] of [[['sim', 'air'], /give --tcp HOST:PORT/], [['sim', 'air', '--tcp', '127.0.0.1:99999'], /out of range/]] as const) {
    const { r } = start([...args]);
    await waitFor('exit', () => r.code !== undefined, 20_000);
    assert.is(r.code, 2);
    assert.match(r.err, message);
  }
});

test.run();
