/**
 * The shard store as a user runs it: five `lattice run` processes on loopback (IP bearer, static peers, RS(3, 2)),
 * `lattice put` on one relay and `lattice get` on another through the real CLI. Then two relays stop: the file still
 * reads; once their grace period passes the origin rebuilds their shards on the relays left, so even a third relay
 * stopping leaves it readable. A restarted relay still holds every shard it promised.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, RelayProcess, eventually, freePort } from './testing/relay-process.js';

let root = '';
const relays: RelayProcess[] = [];

test.before(() => {
  root = mkdtempSync(join(tmpdir(), 'lattice-shards-e2e-'));
});

test.after(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  if (process.env.LATTICE_KEEP_TMP === undefined) rmSync(root, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the `lattice` CLI as a user would, against one relay's API. */
function lattice(relay: RelayProcess, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--api', `127.0.0.1:${relay.apiPort}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

async function ok(relay: RelayProcess, args: string[]): Promise<Run> {
  const r = await lattice(relay, args);
  if (r.code !== 0) throw new Error(`lattice ${args.join(' ')} exited ${r.code}: ${r.stderr}\nrelay log:\n${relay.output.slice(-3000)}`);
  return r;
}

const ipPeers = async (r: RelayProcess) => ((await r.get('/status')).bearers as { kind: string; peers: string[] }[]).find((b) => b.kind === 'ip')?.peers.length ?? 0;

test('put on A, get on B; two relays stop, still readable; repaired, a third may stop; restart keeps promises', async () => {
  const names = ['a', 'b', 'c', 'd', 'e'];
  const ports: number[] = [];
  for (let i = 0; i < names.length; i++) ports.push(await freePort());
  const config = join(root, 'lattice.yaml');
  // Fast heartbeats (offline after 3 s; the config allows no less) and the shortest grace and repair interval, so the
  // repair comes soon. B's restart at the end is over well within the 3 s + 1 s before its shards would be rebuilt.
  writeFileSync(config, 'ip:\n  heartbeatMs: 1000\nshards:\n  k: 3\n  m: 2\n  offlineGraceMs: 1000\n  repairIntervalMs: 1000\n  challengeIntervalMs: 5000\n');
  for (let i = 0; i < names.length; i++) {
    const r = new RelayProcess({ dataDir: join(root, names[i]!), ipPeers: ports.filter((_, j) => j !== i), extraArgs: ['--config', config] });
    r.ipPort = ports[i]!;
    r.apiPort = await freePort();
    r.metricsPort = await freePort();
    relays.push(r);
  }
  const [a, b, c, d, e] = relays as [RelayProcess, RelayProcess, RelayProcess, RelayProcess, RelayProcess];
  await Promise.all(relays.map((r) => r.start()));
  await eventually('every relay sees the other four', async () => (await Promise.all(relays.map(ipPeers))).every((n) => n === 4), 30_000);

  // ~10 chunks of k × ~4 KiB (RS(3, 2) over one-page shards): many shards on every relay, as 300 KB gave 25 chunks,
  // for less than half the coding, transfer and repair work.
  const data = randomBytes(120_000);
  writeFileSync(join(root, 'photo.jpg'), data);
  writeFileSync(join(root, 'empty'), new Uint8Array(0));
  const put = JSON.parse((await ok(a, ['put', 'photo.jpg', '--json', '--quiet'])).stdout.toString()) as { id: string; chunks: number; holders: string[] };
  assert.match(put.id, /^[0-9a-f]{64}$/);
  assert.is(put.holders.length, 5, 'shards on five distinct relays');

  // Four independent commands against B at once (each is a process of its own).
  const [, emptyPut, shardsB, missing] = await Promise.all([
    ok(b, ['get', put.id, '-o', 'copy.jpg', '--quiet']),
    ok(b, ['put', 'empty', '--quiet']),
    ok(b, ['shards', '--json']),
    lattice(b, ['get', 'ab'.repeat(32), '-o', 'nothing', '--quiet']),
  ]);
  assert.ok(readFileSync(join(root, 'copy.jpg')).equals(data), 'B reads what A stored');
  const emptyId = emptyPut.stdout.toString().trim();
  const emptyGet = await ok(a, ['get', emptyId, '--quiet']);
  assert.is(emptyGet.stdout.length, 0, 'a 0-byte file comes back empty on stdout');

  const heldB = JSON.parse(shardsB.stdout.toString()).heldShards as number;
  assert.ok(heldB > 0);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /not found/);

  // Two holders stop: every chunk still has 3 of its 5 shards.
  await Promise.all([c.stop(), d.stop()]);
  const two = await ok(b, ['get', put.id, '--quiet']);
  assert.ok(two.stdout.equals(data), 'readable with two relays gone (stdout)');

  // The shards C and D held are rebuilt on A, B and E (fewer relays than k + m: doubled up).
  try {
    // A (the origin) scans; B may rebuild a shard first from the evidence of its own failed read, so count all three.
    const repairs = async () => (await Promise.all([a, b, e].map(async (r) => (await r.get('/shards')).repairs as number))).reduce((x, y) => x + y, 0);
    await eventually('the lost shards were rebuilt', async () => (await repairs()) >= 2 * put.chunks, 40_000);
  } catch (err) {
    const warn = (r: RelayProcess) => r.output.split('\n').filter((l) => /"(warn|error)"/.test(l)).slice(-30).join('\n');
    throw new Error(`${String(err)}\nA /shards: ${JSON.stringify(await a.get('/shards'))}\nA warnings:\n${warn(a)}\nB warnings:\n${warn(b)}`);
  }
  await e.stop();
  await ok(b, ['get', put.id, '-o', 'after-repair.jpg', '--quiet']);
  assert.ok(readFileSync(join(root, 'after-repair.jpg')).equals(data), 'readable from A and B alone after the repair');

  // Restart keeps promises: B comes back holding at least what it held (plus what the repair gave it).
  const before = (await b.get('/shards')).heldShards as number;
  await b.stop();
  await b.start();
  assert.is((await b.get('/shards')).heldShards, before);
});

test.run();
