/**
 * Strangers on the IP port (issue 11, items 7-9), in process on loopback: a domain key keeps non-members out before
 * any state is kept; a flood of throwaway identities does not lock out a static peer or a new relay; a hoarding peer
 * cannot make the relay hold more than its budget, and its stalled partial messages are timed out. Loopback
 * addresses 127.0.0.x / 127.0.1.x stand for other hosts. Every wait is a deadline on an observable state.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import type { InFrame } from '../../bearer/bearer.js';
import { generateIdentity, type Identity } from '../../identity/identity.js';
import { createLogger } from '../../log/logger.js';
import { freePort } from '../../daemon/testing/relay-process.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { encodeDatagram } from './datagram-codec.js';
import { DomainKey } from './domain-key.js';
import { IpBearer } from './ip-bearer.js';
import { encodeStreamFrame } from './stream-codec.js';
import { throwawayHellos } from './testing/hello-flood.js';
import { openAuthenticated, stalledAcceptor, unfinishedShardMessage, writeAll } from './testing/raw-tcp-peer.js';
import { LoopbackBearers, nodeIdOf as idOf, type LoopbackBearerOptions } from './testing/loopback-bearers.js';
import { ScriptedPeer } from './testing/scripted-peer.js';

const HEARTBEAT = 100;
const rig = new LoopbackBearers(createLogger('ip-strangers-test'), HEARTBEAT);
const PSK = randomBytes(32).toString('hex');

const bearer = (o: LoopbackBearerOptions = {}) => rig.start(o);
const detail = (b: IpBearer) => b.status().detail as { peers: { nodeId: string; class: string; online: boolean }[]; inboundBytesHeld: number; tcpInbound: number; domainKey?: string };
const count = (b: IpBearer, reason: string) => b.metrics.get(`discarded.${reason}`);
const refused = (p: Promise<Socket>) => p.then((s) => (s.destroy(), false), () => true);

test.after.each(() => rig.stopAll());

test('domain key: members talk; a wrong key, no key, untagged PING/PONG/PEERS/DATA and TCP strangers are dropped and counted, nothing kept', async () => {
  const b = await bearer({ psk: PSK });
  const a = await bearer({ psk: PSK, peers: [b] });
  const got: InFrame[] = [];
  // Like a router that stores every bundle: acknowledged frames are settled durable.
  b.on('frame', (f) => { got.push(f); f.settle?.('stored'); });
  await waitFor('members online both ways', () => a.canReach(idOf(b)) && b.canReach(idOf(a)));
  assert.is(await a.send({ peer: idOf(b), kind: 'control', bytes: new Uint8Array([7, 7]) }), 'accepted');
  assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: new Uint8Array(5000).fill(3) }), 'accepted');
  await waitFor('both frames at B (UDP and TCP)', () => got.length === 2);
  const key = new DomainKey(PSK);
  assert.is(detail(b).domainKey, key.id);
  assert.not.ok(JSON.stringify(b.status()).includes(PSK), 'status never shows the key');

  // Another key, and no key at all: each relay keeps calling B; B counts and keeps nothing.
  const wrong = await bearer({ psk: randomBytes(32).toString('hex'), peers: [b] });
  const open = await bearer({ peers: [b] });
  await waitFor('wrong-key HELLOs counted', () => count(b, 'psk-bad') >= 2);
  await waitFor('untagged HELLOs counted', () => count(b, 'psk-missing') >= 2);
  assert.equal(detail(b).peers.map((p) => p.nodeId), [idOf(a)]);
  assert.not.ok(wrong.canReach(idOf(b)));
  assert.not.ok(open.canReach(idOf(b)));

  // Every other datagram type from a non-member, even one claiming a member's id: dropped before parsing, unanswered.
  const m = new ScriptedPeer(generateIdentity());
  await m.start();
  try {
    const before = count(b, 'psk-missing');
    const aId = (a as unknown as { identity: Identity }).identity.nodeId;
    const plain = [
      encodeDatagram({ type: 'ping', nodeId: aId, nonce: new Uint8Array(8) }),
      encodeDatagram({ type: 'pong', nodeId: aId, echo: new Uint8Array(8) }),
      encodeDatagram({ type: 'peers', adverts: [m.advert()] }),
      encodeDatagram({ type: 'data', payload: new Uint8Array([1, 2, 3]) }),
      m.hello(m.advert(), true),
    ];
    for (const d of plain) await m.send(d, b.listenPort);
    await waitFor('all five counted', () => count(b, 'psk-missing') - before >= plain.length);
    // Sealed with the wrong key: a tag that does not verify.
    m.domain = new DomainKey(randomBytes(32).toString('hex'));
    const badBefore = count(b, 'psk-bad');
    await m.send(m.hello(m.advert(), true), b.listenPort);
    await waitFor('wrong tag counted', () => count(b, 'psk-bad') > badBefore);
    assert.is(m.received.length, 0, 'B never answers a non-member (no HELLO back, no PONG)');
    assert.equal(detail(b).peers.map((p) => p.nodeId), [idOf(a)]);
    assert.is(got.length, 2, 'no frame from a non-member reached the router');
  } finally {
    await m.stop();
  }

  // TCP: a HELLO without the tag, with a wrong tag, or claiming a member's id without the key never gets a
  // CHALLENGE; a key holder B never bound is still refused.
  const stranger = generateIdentity();
  const aIdentity = (a as unknown as { identity: Identity }).identity;
  assert.ok(await refused(openAuthenticated(stranger, b.listenPort)), 'no CHALLENGE without the tag');
  await waitFor('untagged TCP HELLO counted', () => count(b, 'psk-missing') >= 8);
  assert.ok(await refused(openAuthenticated(aIdentity, b.listenPort, { tag: new Uint8Array(16) })), 'a member id with a wrong tag');
  assert.ok(await refused(openAuthenticated(stranger, b.listenPort, { domain: new DomainKey(randomBytes(32).toString('hex')) })), 'another key');
  await waitFor('bad TCP tags counted', () => count(b, 'psk-bad') >= 4);
  assert.ok(await refused(openAuthenticated(stranger, b.listenPort, { domain: key })), 'a key holder B never bound');
  await waitFor('unbound key holder refused', () => count(b, 'tcp-unknown-peer') >= 1);
  assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: new Uint8Array(3000).fill(4) }), 'accepted');
  await waitFor('members still talk', () => got.length === 3);
});

test('a bad psk is refused without repeating it', () => {
  for (const psk of ['short', 'x'.repeat(31), 'has space'.padEnd(40, 'y'), 'ü'.repeat(40), 'z'.repeat(257)]) {
    try {
      new IpBearer({ identity: generateIdentity(), listen: { host: '127.0.0.1', port: 0 }, psk });
      assert.unreachable(`accepted ${psk}`);
    } catch (err) {
      assert.is((err as Error).name, 'RangeError');
      assert.not.ok((err as Error).message.includes(psk), 'the message does not echo the key');
    }
  }
});

/**
 * Sends throwaway-identity HELLOs from `sources` loopback addresses until stopped: a sustained flood. Each address
 * cycles through `pool` HELLOs of its own, made before the flood starts (as runtime/daemon/ip-flood.test.ts does):
 * made during the flood, at ~0.2 ms a key and signature in this same process, they held the event loop (B's receive
 * buffer overflowed and the static peer's HELLOs were lost with the flood's) and, on a loaded machine, came slower
 * than admission takes them, so the flood was no longer rate-limited. An identity comes round again only after
 * pool / perBurst bursts (250 ms), long after newcomers pushed it out of B's table (32 slots, ~600 admissions/s):
 * to B it is a stranger again.
 */
async function flood(target: number, sources: string[], perBurst: number, pool = 100) {
  const sockets = await Promise.all(sources.map((host) => new Promise<{ s: ReturnType<typeof createSocket>; hellos: Uint8Array[] }>((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, host, () => resolve({ s, hellos: throwawayHellos(pool, host, s.address().port) }));
  })));
  let sent = 0;
  let next = 0;
  let stopped = false;
  const burst = () => {
    for (const { s, hellos } of sockets) {
      for (let i = 0; i < perBurst; i++) {
        s.send(hellos[(next + i) % hellos.length]!, target, '127.0.0.1');
        sent++;
      }
    }
    next += perBurst;
  };
  const loop = (async () => {
    while (!stopped) {
      burst();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      await loop;
      for (const { s } of sockets) s.close();
    },
  };
}

test('a sustained flood of throwaway identities: the table stays bounded and a static peer and a new relay come online', async () => {
  const staticPort = await freePort();
  // A fast flood: twelve addresses, each allowed a new identity every 20 ms, keep the 32 unproven slots full.
  const b = await bearer({ peers: [staticPort], admission: { maxUnproven: 32, refillMs: 20 } });
  const sources = Array.from({ length: 12 }, (_, i) => `127.0.1.${i + 1}`);
  const f = await flood(b.listenPort, sources, 20);
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, detail(b).peers.filter((p) => p.class === 'unproven').length)), 5);
  try {
    // Under way: 3,000 sent, the table full, and a thousand of them over the rate.
    await waitFor('flood under way', () => f.sent >= 3000 && detail(b).peers.length >= 32 && count(b, 'rate-limited') >= 1000);

    const a = await bearer({ port: staticPort, peers: [b] });
    await waitFor('the static peer online at B despite the flood', () => b.canReach(idOf(a)));
    assert.is(detail(b).peers.find((p) => p.nodeId === idOf(a))?.class, 'static');
    // A relay B was not told about, at an address of its own: it takes the place of a flood entry that never
    // answered, and proves itself.
    const c = await bearer({ host: '127.0.0.5', peers: [b] });
    await waitFor('a new relay online at B despite the flood', () => b.canReach(idOf(c)) && c.canReach(idOf(b)));
    await waitFor('and proven after a few heartbeats', () => detail(b).peers.find((p) => p.nodeId === idOf(c))?.class === 'proven');
    assert.ok(count(b, 'rate-limited') >= 1000, 'the flood was rate-limited');
    assert.ok(b.metrics.get('peers_evicted.unproven') >= 1, 'flood entries were pushed out');
    assert.ok(b.canReach(idOf(a)), 'the static peer kept its slot');
    clearInterval(watch);
    assert.ok(peak <= 32, `at most 32 unproven entries, saw ${peak}`);
  } finally {
    clearInterval(watch);
    await f.stop();
  }
});

test('a hoarding peer: its unfinished shard messages stay within its budget, surplus connections are replaced, stalled ones time out', async () => {
  const MiB = 2 ** 20;
  const b = await bearer({ inbound: { perPeerBytes: MiB, totalBytes: 1.5 * MiB, idleMs: 400 } });
  const a = await bearer({ peers: [b] });
  await waitFor('A online at B', () => b.canReach(idOf(a)));
  const hoarders = [new ScriptedPeer(generateIdentity()), new ScriptedPeer(generateIdentity())];
  const sockets: Socket[] = [];
  try {
    for (const h of hoarders) {
      await h.start();
      await h.send(h.hello(h.advert(), false), b.listenPort);
      await waitFor('hoarder online at B', () => b.canReach(h.identity.nodeIdHex));
    }
    // Five connections from one hoarder: two stay, the older three are closed.
    for (let i = 0; i < 5; i++) sockets.push(await openAuthenticated(hoarders[0]!.identity, b.listenPort));
    await waitFor('surplus connections replaced', () => count(b, 'tcp-replaced') >= 3);
    const live = sockets.slice(3);
    live.push(await openAuthenticated(hoarders[1]!.identity, b.listenPort));
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, detail(b).inboundBytesHeld)), 5);
    // 3 MiB of unfinished message on each connection: far over the 1 MiB per peer, 1.5 MiB in all.
    await Promise.all(live.map((s) => writeAll(s, unfinishedShardMessage(3 * MiB))));
    await waitFor('over-budget messages dropped', () => count(b, 'shard-over-budget') >= 2);
    await waitFor('stalled partial messages timed out', () => count(b, 'tcp-partial-timeout') >= 3);
    clearInterval(watch);
    assert.ok(peak <= 1.5 * MiB, `held ${peak} bytes at most`);
    await waitFor('budget returned', () => detail(b).inboundBytesHeld === 0 && detail(b).tcpInbound <= 1);

    // A header over its type's cap closes the connection before its payload is buffered.
    const s = await openAuthenticated(hoarders[1]!.identity, b.listenPort);
    sockets.push(s);
    const header = encodeStreamFrame('shard', new Uint8Array(0)).slice(0, 3);
    s.write(new Uint8Array([...header, 0, 1, 0, 0])); // a 64 KiB SHARD fragment
    await waitFor('oversize header refused', () => count(b, 'tcp-frame-too-large') === 1);

    // The relay still carries real traffic.
    const got: InFrame[] = [];
    b.on('frame', (fr) => { got.push(fr); fr.settle?.('stored'); });
    assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: new Uint8Array(20_000).fill(9) }), 'accepted');
    await waitFor('frame at B', () => got.length === 1);
  } finally {
    for (const s of sockets) s.destroy();
    for (const h of hoarders) await h.stop();
  }
});

test('a peer that never reads its shard answers: the send queue stops at its cap (counted), others are still served', async () => {
  const b = await bearer();
  const a = await bearer({ peers: [b] });
  const h = new ScriptedPeer(generateIdentity());
  await h.start();
  const acceptor = await stalledAcceptor(h.identity);
  try {
    await h.send(h.hello(h.advert({ tcpPort: acceptor.port }), false), b.listenPort);
    await waitFor('the reader-less peer online at B', () => b.canReach(h.identity.nodeIdHex));
    // Not awaited: each write waits for the kernel, which the peer never drains.
    const pending: Promise<boolean>[] = [];
    let refused = false;
    for (let i = 0; i < 200 && !refused; i++) {
      const p = b.sendShard(h.identity.nodeIdHex, new Uint8Array(2 ** 20));
      pending.push(p.catch(() => false));
      refused = await Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 20))]) === false;
    }
    assert.ok(refused, 'sendShard refused once the queue was full');
    assert.ok(count(b, 'shard-send-queue-full') >= 1);
    const got: string[] = [];
    a.onShardMessage((from) => got.push(from));
    assert.ok(await b.sendShard(idOf(a), new Uint8Array(1000)), 'another peer is still served');
    await waitFor('the message at A', () => got.length === 1);
  } finally {
    await acceptor.close();
    await h.stop();
  }
});

test.run();
