/**
 * Three relays A—B—C as separate processes on loopback; A and C are not connected to each other. A's message
 * reaches C through B, the custody chain shows B, C's delivery bloom (gossiped back through B) turns A's outbox row
 * delivered. Separately, a bundle that arrives twice over two bearers (IP and MQTT) is stored once.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RelayProcess, eventually, freePort } from './testing/relay-process.js';

let root = '';
const relays: RelayProcess[] = [];

test.before(() => {
  root = mkdtempSync(join(tmpdir(), 'lattice-3relays-'));
});

test.after(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  if (process.env.LATTICE_KEEP_TMP === undefined) rmSync(root, { recursive: true, force: true });
});

test('A -> C through B: custody [B], C stores it, C bloom marks A delivered', async () => {
  const [pa, pb, pc] = [await freePort(), await freePort(), await freePort()];
  const mk = (name: string, port: number, peers: number[]) => {
    const r = new RelayProcess({ dataDir: join(root, name), ipPeers: peers, extraArgs: ['--bloom-interval', '1000'] });
    r.ipPort = port;
    relays.push(r);
    return r;
  };
  const a = mk('a', pa, [pb]);
  const b = mk('b', pb, [pa, pc]);
  const c = mk('c', pc, [pb]);
  for (const r of [a, b, c]) {
    r.apiPort = await freePort();
    r.metricsPort = await freePort();
  }
  await Promise.all([a.start(), b.start(), c.start()]);
  const peerIds = async (r: RelayProcess) => ((await r.get('/status')).peers as { id: string }[]).map((p) => p.id);
  await eventually('B sees A and C', async () => {
    const p = await peerIds(b);
    return p.includes(a.nodeId) && p.includes(c.nodeId);
  });
  assert.not.ok((await peerIds(a)).includes(c.nodeId), 'A must not be connected to C');

  const id = await a.send(c.nodeId, 'hello C, via B');
  const atC = await eventually('the bundle at C', async () => {
    const v = await c.get(`/bundles/${id}`).catch(() => undefined);
    return v;
  });
  assert.equal(atC.custody, [b.shortId]);
  const inbox = await c.get('/inbox');
  const entries = (Array.isArray(inbox) ? inbox : inbox.entries) as { id: string; text: string }[];
  assert.ok(entries.some((e) => e.id === id && e.text === 'hello C, via B'));
  await eventually("A's outbox row delivered by C's bloom", async () => (await a.get(`/bundles/${id}`)).state === 'delivered', 30_000);
});

test('a bundle arriving twice over two bearers (IP and MQTT) is stored once', async () => {
  const { startMosquitto } = await import('../bearers/mqtt/testing/mosquitto.js');
  const broker = await startMosquitto();
  try {
    const [pd, pe] = [await freePort(), await freePort()];
    const d = new RelayProcess({ dataDir: join(root, 'd'), ipPeers: [pe], extraArgs: ['--mqtt', broker.url] });
    const e = new RelayProcess({ dataDir: join(root, 'e'), ipPeers: [pd], extraArgs: ['--mqtt', broker.url] });
    d.ipPort = pd;
    e.ipPort = pe;
    for (const r of [d, e]) {
      r.apiPort = await freePort();
      r.metricsPort = await freePort();
      relays.push(r);
    }
    await Promise.all([d.start(), e.start()]);
    await eventually('D reaches E over both bearers', async () => {
      const s = await d.get('/status');
      const peer = (s.peers as { id: string; bearers: string[] }[]).find((p) => p.id === e.nodeId);
      return peer && peer.bearers.length >= 2;
    });
    const id = await d.send(e.nodeId, 'twice');
    await eventually('E has it', async () => (await e.get(`/bundles/${id}`).catch(() => undefined)));
    const dupes = await eventually('E counted the second copy as a duplicate', async () => {
      const text = await (await fetch(`http://127.0.0.1:${e.metricsPort}/metrics`)).text();
      const m = /^lattice_duplicates_dropped_total(?:\{[^}]*\})? (\d+)/m.exec(text);
      return m && Number(m[1]) >= 1 ? Number(m[1]) : undefined;
    });
    assert.ok(dupes >= 1);
    const inbox = await e.get('/inbox');
    const entries = (Array.isArray(inbox) ? inbox : inbox.entries) as { id: string }[];
    assert.is(entries.filter((x) => x.id === id).length, 1);
  } finally {
    await broker.stop();
  }
});

test.run();
