/**
 * A hoarding peer against a `lattice run` process on loopback (issue 11, item 7): hosts with their own keys, each
 * admitted by one HELLO, open many authenticated TCP connections and leave an unfinished shard message on each; then
 * one sends placement requests. The relay's RSS stays under 200 MiB (it idles at ~70-90 MiB; without the inbound
 * limits it held every byte: 4 × 10 × 8 MiB = 320 MiB more), the stalled messages are timed out and counted, the
 * placement records stay under the shard store's budget, and the relay keeps relaying.
 *
 * The issue's own scenario (one peer, 40 connections of 31 MiB) is
 * `LATTICE_TEST_HOARD_PEERS=1 LATTICE_TEST_HOARD_CONNECTIONS=40 LATTICE_TEST_HOARD_MIB=31 LATTICE_TEST_HOARD_LOG=1`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { Encoder } from 'cbor-x';
import { generateIdentity } from '../identity/identity.js';
import { fragmentShardMessage } from '../bearers/ip/shard-fragments.js';
import { encodeStreamFrame } from '../bearers/ip/stream-codec.js';
import { ScriptedPeer } from '../bearers/ip/testing/scripted-peer.js';
import { openAuthenticated, unfinishedShardMessage, writeAll } from '../bearers/ip/testing/raw-tcp-peer.js';
import { RelayProcess, eventually, freePort } from './testing/relay-process.js';

const MiB = 2 ** 20;
const RSS_CAP_MIB = 200;
const PEERS = Number(process.env.LATTICE_TEST_HOARD_PEERS ?? 4);
const CONNECTIONS = Number(process.env.LATTICE_TEST_HOARD_CONNECTIONS ?? 10);
const MESSAGE_MIB = Number(process.env.LATTICE_TEST_HOARD_MIB ?? 8);
const say = (s: string) => process.env.LATTICE_TEST_HOARD_LOG && console.log(s);

let root = '';
const relays: RelayProcess[] = [];
const hoarders: ScriptedPeer[] = [];
const sockets: Socket[] = [];

test.before(() => {
  root = mkdtempSync(join(tmpdir(), 'lattice-ip-hoard-'));
});

test.after(async () => {
  for (const s of sockets) s.destroy();
  for (const h of hoarders) await h.stop();
  await Promise.all(relays.map((r) => r.stop()));
  if (process.env.LATTICE_KEEP_TMP === undefined) rmSync(root, { recursive: true, force: true });
});

/** Resident set of a process, from /proc (Linux), in MiB. */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

interface IpStatus {
  peers: string[];
  detail: { counters: Record<string, number> };
}
const ipOf = async (r: RelayProcess) => ((await r.get('/status')).bearers as (IpStatus & { kind: string })[]).find((b) => b.kind === 'ip')!;
const counter = async (r: RelayProcess, name: string) => (await ipOf(r)).detail.counters[`discarded.${name}`] ?? 0;

test('hoarding peers: RSS stays under 200 MiB, stalled messages time out, placement stays in budget, the relay keeps relaying', async () => {
  const config = join(root, 'lattice.yaml');
  // A small shard budget so the placement part is quick: its placement share is the 1 MiB floor.
  writeFileSync(config, 'ip:\n  heartbeatMs: 1000\nshards:\n  diskBytes: 4MiB\n  cacheBytes: 0\n');
  const [rPort, sPort] = [await freePort(), await freePort()];
  const mk = async (name: string, port: number, peers: number[]) => {
    const r = new RelayProcess({ dataDir: join(root, name), ipPeers: peers, extraArgs: ['--config', config] });
    r.apiPort = await freePort();
    r.metricsPort = await freePort();
    r.ipPort = port;
    relays.push(r);
    return r;
  };
  const r = await mk('r', rPort, [sPort]);
  const s = await mk('s', sPort, [rPort]);
  await Promise.all([r.start(), s.start()]);
  await eventually('R and S online', async () => (await ipOf(r)).peers.includes(s.nodeId));

  // Hosts with their own keys: one HELLO each and they are peers of R.
  for (let i = 0; i < PEERS; i++) {
    const h = new ScriptedPeer(generateIdentity());
    await h.start();
    hoarders.push(h);
    await h.send(h.hello(h.advert(), false), rPort);
  }
  await eventually('hoarders bound at R', async () => {
    const peers = (await ipOf(r)).peers;
    return hoarders.every((h) => peers.includes(h.identity.nodeIdHex));
  });

  const pid = r.child!.pid!;
  const before = rssMiB(pid);
  let peak = before;
  const watch = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
  try {
    for (const h of hoarders) for (let i = 0; i < CONNECTIONS; i++) sockets.push(await openAuthenticated(h.identity, rPort));
    const message = unfinishedShardMessage(MESSAGE_MIB * MiB);
    await Promise.all(sockets.map((sock) => writeAll(sock, message)));
    // A stalled message times out only after R has taken in every byte sent before the stall.
    await eventually('stalled messages timed out', async () => (await counter(r, 'tcp-partial-timeout')) >= 1, 30_000);
  } finally {
    clearInterval(watch);
    say(`hoarding: ${PEERS} peers x ${CONNECTIONS} connections x ${MESSAGE_MIB} MiB unfinished: RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB`);
  }
  assert.ok(peak < RSS_CAP_MIB, `R peaked at ${peak.toFixed(0)} MiB RSS (from ${before.toFixed(0)})`);
  const counters = (await ipOf(r)).detail.counters;
  say(`counted: replaced ${counters['discarded.tcp-replaced'] ?? 0}, over budget ${counters['discarded.shard-over-budget'] ?? 0}, timed out ${counters['discarded.tcp-partial-timeout'] ?? 0}`);

  // Placement requests: 20 of ~1 MB each (the attack grew the shard database to 132 MB with 20 of ~6.6 MB).
  const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
  const holders = Array.from({ length: 64 }, (_, i) => i.toString(16).padStart(2, '0').repeat(32));
  const h = hoarders[0]!;
  const sock = await openAuthenticated(h.identity, rPort);
  sockets.push(sock);
  for (let i = 0; i < 20; i++) {
    const entries = Array.from({ length: 240 }, () => ({ hash: new Uint8Array(randomBytes(32)), holders }));
    const frames = fragmentShardMessage(cbor.encode({ id: i + 1, req: { op: 'placement', entries } })).map((f) => encodeStreamFrame('shard', f));
    assert.ok(await writeAll(sock, frames), 'R keeps the connection');
  }
  const shardsDb = join(root, 'r', 'shards', 'data.mdb');
  await eventually('placement requests handled', async () => ((await r.get('/shards')).recordBytes as number) > 0, 20_000);
  await eventually('the rest refused', async () => {
    const text = await r.metricsText();
    const m = /lattice_shards_refused_total\{what="placement"\} (\d+)/.exec(text);
    return m && Number(m[1]) > 1000;
  }, 30_000);
  const dbBytes = statSync(shardsDb).size;
  say(`placement: 20 requests of ~1 MB: shard database ${(dbBytes / MiB).toFixed(1)} MiB, records counted ${(((await r.get('/shards')).recordBytes as number) / MiB).toFixed(2)} MiB`);
  assert.ok(dbBytes < 8 * MiB, `shard database ${dbBytes} bytes`);

  // Still relaying, and still alive.
  const id = await r.send(s.nodeId, 'after the hoarders');
  await eventually('the message at S', async () => ((await s.get('/inbox')).entries as { id: string }[]).some((e) => e.id === id), 15_000);
  assert.is(r.child!.exitCode, null);
});

test.run();
