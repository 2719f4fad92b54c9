/**
 * A relay whose disk fills (issue 11 item 3), as real processes: `lattice run` on a tmpfs that fills (as root), or
 * under a file-size limit (anywhere else; testing/filling-disk.ts says how each works). It must stay up, answer
 * sends with 507 StoreFullError, keep relaying what it holds (a neighbour that comes up meanwhile gets every queued
 * bundle), take a send again once space returns without a restart, and hold every acknowledged bundle after one.
 * A file upload to its shard store meanwhile is refused with 507 StoreFullError too.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToPem, IDENTITY_FILE } from '../identity/identity.js';
import { RelayProcess, eventually, freePort } from './testing/relay-process.js';
import { fillingDisk } from './testing/filling-disk.js';

const TEXT = 'x'.repeat(8000);

async function post(relay: RelayProcess, to: string, text: string): Promise<{ status: number; body: any }> {
  const r = await relay.request('POST', '/send', { to, text }, 10_000);
  return { status: r.status, body: JSON.parse(r.text) };
}

test('a relay whose disk fills: stays up, 507 StoreFullError, keeps relaying, takes sends again when space returns, loses nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-fulldisk-'));
  const disk = await fillingDisk(root, 24 * 2 ** 20, 2 ** 20);
  console.log(`  full-disk test path: ${disk.kind}`);
  const dirB = join(root, 'b');
  mkdirSync(dirB, { recursive: true });
  const b = generateIdentity();
  writeFileSync(join(dirB, IDENTITY_FILE), identityToPem(b), { mode: 0o600 });
  const bPort = await freePort();
  const a = new RelayProcess({ dataDir: disk.dataDir, ipPeers: [bPort], wrap: (argv) => disk.wrap(argv) });
  const relayB = new RelayProcess({ dataDir: dirB, extraArgs: ['--no-shards'] });
  relayB.ipPort = bPort;
  relayB.apiPort = await freePort();
  relayB.metricsPort = await freePort();
  try {
    await a.start();
    disk.fill(384 * 1024);
    // B is not running: every send stays queued in A's vault until the disk is full.
    const acked: string[] = [];
    let refusal: { status: number; body: any } | undefined;
    for (let i = 0; i < 400 && !refusal; i++) {
      // A few at a time, as clients do (and one write cycle takes them together).
      for (const r of await Promise.all(Array.from({ length: 6 }, (_, j) => post(a, b.nodeIdHex, `${i}.${j} ${TEXT}`)))) {
        if (r.status === 202) acked.push(r.body.bundleId);
        else refusal ??= r;
      }
    }
    assert.ok(refusal, 'the disk never filled');
    assert.is(refusal!.status, 507, JSON.stringify(refusal!.body));
    assert.is(refusal!.body.error.name, 'StoreFullError');
    assert.ok(acked.length >= 20, `only ${acked.length} sends acknowledged before the disk was full`);
    // Still up, still refusing with the named error, and saying why in its status.
    const again = await post(a, b.nodeIdHex, 'one more');
    assert.is(again.status, 507);
    assert.is(again.body.error.name, 'StoreFullError');
    const status = await a.get('/status');
    assert.is(status.vault.full, 'disk');
    // A file upload (spooled to the same disk first) is refused the same way.
    const upload = await a.request('POST', '/shards/files?name=big.bin', new Uint8Array(2 * 2 ** 20), 10_000);
    assert.is(upload.status, 507, upload.text);
    assert.is(JSON.parse(upload.text).error.name, 'StoreFullError');

    // The recipient comes up: A relays what it holds while its disk is full.
    await relayB.start();
    await eventually(`all ${acked.length} acknowledged bundles at B while A's disk is full`, async () => {
      for (const id of acked) if (!(await relayB.get(`/bundles/${id}`).catch(() => undefined))) return false;
      return true;
    }, 60_000);
    assert.is((await a.get('/status')).vault.full, 'disk', 'the disk is still full');

    // Space returns: a send is taken again, no restart.
    disk.free(a.child!.pid!);
    const after = await eventually('a send taken after space returned', async () => {
      const r = await post(a, b.nodeIdHex, 'after space returned');
      return r.status === 202 ? (r.body.bundleId as string) : undefined;
    }, 30_000);
    acked.push(after);
    await eventually('A records the deliveries it made while full', async () => {
      for (const id of acked.slice(0, -1)) if ((await a.get(`/bundles/${id}`)).state !== 'delivered') return false;
      return true;
    }, 30_000);

    // Restart: every acknowledged bundle is there.
    const code = await a.stop();
    assert.is(code, 0, `clean exit (signal ${a.child?.signalCode}):\n${a.output.slice(-3000)}`);
    await a.start();
    for (const id of acked) {
      const v = await a.get(`/bundles/${id}`);
      assert.ok(['queued', 'delivered'].includes(v.state), `${id} ${v.state}`);
    }
    assert.is((await a.get(`/bundles/${acked[0]}`)).state, 'delivered', 'a delivery made while full survived the restart');
    assert.not.match(a.output, /unhandled|Unhandled|triggerUncaughtException/);
  } finally {
    await relayB.stop();
    await a.stop();
    await disk.close();
    if (process.env.LATTICE_KEEP_TMP === undefined) rmSync(root, { recursive: true, force: true });
  }
});

test.run();
