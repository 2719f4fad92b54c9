/**
 * IP bearers on 127.0.0.1 talking to each other (and to a scripted peer that forges, replays and garbles).
 * Heartbeats are short (100 ms) so offline detection is quick, but nothing asserts on timing: every wait is a
 * generous deadline on an observable state.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { BROADCAST, type InFrame, type PeerEvent } from '../../bearer/bearer.js';
import { generateIdentity, type Identity } from '../../identity/identity.js';
import { createLogger } from '../../log/logger.js';
import { createMetrics } from '../../metrics/metrics.js';
import { signAdvert } from './advert.js';
import { encodeDatagram } from './datagram-codec.js';
import { IpBearer } from './ip-bearer.js';
import { encodeStreamFrame } from './stream-codec.js';
import { localIpv4Interfaces } from './ipv4.js';
import { LoopbackBearers, nodeIdOf as idOf } from './testing/loopback-bearers.js';
import { ScriptedPeer } from './testing/scripted-peer.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

const HEARTBEAT = 100;
const log = createLogger('ip-test');
const rig = new LoopbackBearers(log, HEARTBEAT);

function bearer(options: { identity?: Identity; port?: number; peers?: IpBearer[]; discovery?: boolean; connectTimeoutMs?: number } = {}) {
  const { peers, ...rest } = options;
  return rig.start({
    ...rest,
    // Both forms config may hand over: `host:port` strings and HostPort objects.
    staticPeers: (peers ?? []).map((p, i) => (i % 2 ? { host: '127.0.0.1', port: p.listenPort } : `127.0.0.1:${p.listenPort}`)),
  });
}

function record(b: IpBearer) {
  const frames: InFrame[] = [];
  const peers: PeerEvent[] = [];
  // Like a router that stores every bundle: acknowledged frames are settled durable.
  b.on('frame', (f) => {
    frames.push(f);
    f.settle?.('stored');
  });
  b.on('peer', (e) => peers.push(e));
  return { frames, peers };
}

test.after.each(() => rig.stopAll());

test('two bearers: HELLO handshake brings both online, with capabilities', async () => {
  const b = await bearer();
  const rb = record(b);
  const a = await bearer({ peers: [b] });
  const ra = record(a);
  await waitFor('A sees B online', () => a.canReach(idOf(b)));
  await waitFor('B sees A online', () => b.canReach(idOf(a)));
  await waitFor('peer events', () => ra.peers.length >= 1 && rb.peers.length >= 1);
  assert.equal(ra.peers[0], { bearer: 'ip', peer: idOf(b), up: true, name: ra.peers[0]!.name });
  assert.is(rb.peers[0]!.peer, idOf(a));
  assert.ok(a.canReach(BROADCAST));
  const st = a.status();
  assert.is(st.kind, 'ip');
  assert.is(st.mode, 'sync');
  assert.is(st.state, 'up');
  assert.equal(st.peers, [idOf(b)]);
  const detail = st.detail as { peers: { nodeId: string; version?: string; bearers?: string[]; address?: string }[]; advertised: string[] };
  assert.equal(detail.advertised, ['127.0.0.1']);
  const pb = detail.peers.find((p) => p.nodeId === idOf(b))!;
  assert.is(pb.address, `127.0.0.1:${b.listenPort}`);
  assert.equal(pb.bearers, ['ip']);
  assert.type(pb.version, 'string');
});

test('small frame over UDP, large frame (60 KB) over one reused TCP connection, broadcast to all', async () => {
  const b = await bearer();
  const c = await bearer();
  const a = await bearer({ peers: [b, c] });
  const rb = record(b);
  const rc = record(c);
  await waitFor('A sees B and C', () => a.canReach(idOf(b)) && a.canReach(idOf(c)));

  const small = new Uint8Array(randomBytes(300));
  assert.is(await a.send({ peer: idOf(b), kind: 'bloom', bytes: small }), 'accepted');
  const f1 = await waitFor('small frame at B', () => rb.frames[0]);
  assert.equal(f1, { bearer: 'ip', from: idOf(a), bytes: small });
  assert.is(a.metrics.get('frames_out.udp'), 1);
  assert.is(b.metrics.get('frames_in.udp'), 1);
  // A bundle, however small, goes over TCP: a lost datagram would be a bundle marked delivered and never seen.
  const smallBundle = new Uint8Array(randomBytes(200));
  assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: smallBundle }), 'accepted');
  await waitFor('small bundle at B', () => rb.frames.find((f) => Buffer.compare(f.bytes, smallBundle) === 0));
  assert.is(a.metrics.get('frames_out.udp'), 1);
  rb.frames.length = 1;

  const large = new Uint8Array(randomBytes(60 * 1024));
  assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: large }), 'accepted');
  const f2 = await waitFor('large frame at B', () => rb.frames[1]);
  assert.is(f2.from, idOf(a));
  assert.ok(Buffer.from(f2.bytes).equals(large));
  assert.is(b.metrics.get('frames_in.tcp'), 2); // the small bundle and this one
  const large2 = new Uint8Array(randomBytes(20_000));
  assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: large2 }), 'accepted');
  await waitFor('second large frame at B', () => rb.frames[2]);
  assert.ok(Buffer.from(rb.frames[2]!.bytes).equals(large2));
  assert.is((a.status().detail as { tcpConnections: number }).tcpConnections, 1, 'one connection, reused');

  const bc = new Uint8Array(randomBytes(50));
  assert.is(await a.send({ peer: BROADCAST, kind: 'bloom', bytes: bc }), 'accepted');
  await waitFor('broadcast at B and C', () => rb.frames.length === 4 && rc.frames.length === 1);
  assert.equal(rc.frames[0]!.bytes, bc);

  assert.is(await a.send({ peer: 'ab'.repeat(32), kind: 'bundle', bytes: small }), 'unreachable', 'unknown peer');
  assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: new Uint8Array(200_000) }), 'unreachable', 'over the maximum');
});

test('three bearers: PEERS gossip lets A and C, each configured only with B, find each other', async () => {
  const b = await bearer({ discovery: true });
  const a = await bearer({ peers: [b], discovery: true });
  const c = await bearer({ peers: [b], discovery: true });
  await waitFor('A and C see each other', () => a.canReach(idOf(c)) && c.canReach(idOf(a)));
  assert.is(a.status().peers.length, 2);
});

// LAN broadcast needs a non-loopback IPv4 interface (Linux loops a subnet broadcast back to local sockets);
// machines without one (some CI sandboxes) cannot run this test and say so.
const lan = localIpv4Interfaces().find((i) => !i.internal);
if (lan) {
  test(`LAN discovery: a broadcast HELLO on ${lan.broadcast} finds a relay no one configured`, async () => {
    const b = await rig.start({ host: '0.0.0.0' });
    const a = await rig.start({ host: '0.0.0.0', discovery: true, discoveryPort: b.listenPort });
    await waitFor('A and B see each other', () => a.canReach(idOf(b)) && b.canReach(idOf(a)));
    const detail = b.status().detail as { advertised: string[]; peers: { nodeId: string; address?: string }[] };
    assert.ok(detail.advertised.includes(lan.address));
    assert.is(detail.peers.find((p) => p.nodeId === idOf(a))!.address, `${lan.address}:${a.listenPort}`);
  });
} else {
  console.log('# no non-loopback IPv4 interface: LAN broadcast discovery test not run');
}

test('without discovery, PEERS gossip is not followed: A and C stay apart', async () => {
  const c = await bearer();
  const cIdentity = (c as unknown as { identity: Identity }).identity;
  const cAdvert = signAdvert(cIdentity, { issuedAt: Date.now(), udpPort: c.listenPort, tcpPort: c.listenPort, addresses: ['127.0.0.1'] });
  // M, a peer of A (and A2, which runs discovery), gossips C's advert to both, then pings: the PONG comes back after
  // the PEERS datagram before it was handled (one socket pair on loopback keeps the order).
  const m = new ScriptedPeer(generateIdentity());
  await m.start();
  try {
    const gossip = async (x: IpBearer): Promise<void> => {
      await m.send(m.hello(m.advert()), x.listenPort);
      await waitFor('M online', () => x.canReach(m.identity.nodeIdHex));
      await m.send(encodeDatagram({ type: 'peers', adverts: [cAdvert] }), x.listenPort);
      const nonce = new Uint8Array(randomBytes(8));
      await m.send(encodeDatagram({ type: 'ping', nodeId: m.identity.nodeId, nonce }), x.listenPort);
      await waitFor('the PONG after the PEERS', () => m.received.some((r) => r.datagram?.type === 'pong' && Buffer.from(r.datagram.echo).equals(nonce)));
    };
    const known = (x: IpBearer) => (x.status().detail as { peers: { nodeId: string }[] }).peers.some((p) => p.nodeId === idOf(c));
    const a2 = await bearer({ discovery: true });
    await gossip(a2);
    assert.ok(known(a2), 'with discovery the same gossip is followed (C taken into the table)');
    const a = await bearer();
    await gossip(a);
    assert.not.ok(known(a), 'not even taken into the table');
    assert.not.ok(a.canReach(idOf(c)));
    assert.not.ok(c.canReach(idOf(a)));
  } finally {
    await m.stop();
  }
});

test('relays started together find each other before the first heartbeat (early HELLO retries)', async () => {
  // A port nobody listens on yet: A's first HELLO to it is lost, as when two relays boot at the same moment.
  const probe = await bearer();
  const port = probe.listenPort;
  await rig.stop(probe);
  // A bare socket on that port takes A's first HELLO and never answers; then B takes the port.
  const first = createSocket('udp4');
  await new Promise<void>((resolve) => first.bind(port, '127.0.0.1', resolve));
  let hellos = 0;
  first.on('message', () => hellos++);
  const a = await rig.start({ peers: [port], heartbeatMs: 600_000 });
  await waitFor("A's first HELLO, unanswered", () => hellos > 0);
  await new Promise<void>((resolve) => first.close(() => resolve()));
  const b = await rig.start({ port, heartbeatMs: 600_000 });
  await waitFor('A and B see each other', () => a.canReach(idOf(b)) && b.canReach(idOf(a)));
});

test('three missed heartbeats mark a peer offline; it comes back online when it returns', async () => {
  const idB = generateIdentity();
  const b = await bearer({ identity: idB });
  const port = b.listenPort;
  const a = await bearer({ peers: [b] });
  const ra = record(a);
  await waitFor('A sees B', () => a.canReach(idB.nodeIdHex));
  await b.stop();
  const down = await waitFor('B offline at A', () => ra.peers.find((e) => !e.up));
  assert.is(down.peer, idB.nodeIdHex);
  assert.not.ok(a.canReach(idB.nodeIdHex));
  assert.is(await a.send({ peer: idB.nodeIdHex, kind: 'bundle', bytes: new Uint8Array([1, 2, 3]) }), 'unreachable');
  assert.is(await a.send({ peer: BROADCAST, kind: 'bloom', bytes: new Uint8Array([1, 2, 3]) }), 'unreachable');

  const b2 = await bearer({ identity: idB, port });
  const rb2 = record(b2);
  await waitFor('B back online at A', () => ra.peers.filter((e) => e.up).length === 2);
  assert.ok(a.canReach(idB.nodeIdHex));
  assert.is(await a.send({ peer: idB.nodeIdHex, kind: 'bundle', bytes: new Uint8Array([4, 5, 6]) }), 'accepted');
  await waitFor('frame at the returned B', () => rb2.frames[0]);
  // And large frames re-dial the TCP connection the old B took with it.
  assert.is(await a.send({ peer: idB.nodeIdHex, kind: 'bundle', bytes: new Uint8Array(5000).fill(7) }), 'accepted');
  await waitFor('large frame at the returned B', () => rb2.frames[1]);
});

test('a peer goes offline only after three unanswered heartbeats, and a re-signed advert replaces the old one', async () => {
  const b = await rig.start();
  const rb = record(b);
  const m = new ScriptedPeer(generateIdentity());
  await m.start();
  try {
    await m.send(m.hello(m.advert({ issuedAt: Date.now() - 1000 })), b.listenPort);
    await waitFor('M online at B', () => b.canReach(m.identity.nodeIdHex));
    const issued = () => (b.status().detail as { peers: { nodeId: string; advertIssuedAt: number }[] }).peers.find((p) => p.nodeId === m.identity.nodeIdHex)!.advertIssuedAt;
    const first = issued();
    const fresh = Date.now();
    await m.send(m.hello(m.advert({ issuedAt: fresh })), b.listenPort);
    await waitFor('the newer advert taken', () => issued() === fresh);
    assert.ok(fresh > first);

    m.answerHeartbeats = false;
    const silentFrom = m.received.length;
    await waitFor('M offline at B', () => rb.peers.some((e) => !e.up));
    const unanswered = m.received.slice(silentFrom).filter((r) => r.datagram?.type === 'ping').length;
    assert.ok(unanswered >= 3, `${unanswered} unanswered PINGs before offline`);
    assert.not.ok(b.canReach(m.identity.nodeIdHex));
  } finally {
    await m.stop();
  }
});

test('adverts: forged, unsigned, tampered, replayed, stale and misaddressed ones are ignored and counted', async () => {
  const b = await bearer();
  const rb = record(b);
  const m = new ScriptedPeer(generateIdentity());
  await m.start();
  try {
    const other = generateIdentity();
    const valid = m.advert();
    // Forged: the advert names another node id than the key that signed it.
    const forged = valid.bytes.slice();
    forged.set(other.nodeId, 1);
    // Unsigned: a zero signature.
    const unsigned = valid.bytes.slice();
    unsigned.fill(0, unsigned.length - 64);
    // Tampered: another address after signing.
    const tampered = valid.bytes.slice();
    tampered[47] = 10;
    for (const bytes of [forged, unsigned, tampered]) {
      const d = m.hello(valid);
      d.set(bytes, d.length - bytes.length);
      await m.send(d, b.listenPort);
    }
    await waitFor('three bad signatures', () => b.metrics.get('adverts_rejected.bad-signature') === 3);
    assert.not.ok(b.canReach(other.nodeIdHex));

    // Stale: issued two days ago.
    await m.send(m.hello(m.advert({ issuedAt: Date.now() - 2 * 86400_000 })), b.listenPort);
    await waitFor('stale', () => b.metrics.get('adverts_rejected.stale') === 1);
    // Misaddressed: a genuine advert naming another UDP port than the one it came from.
    await m.send(m.hello(m.advert({ udpPort: m.port === 65535 ? 1 : m.port + 1 })), b.listenPort);
    await waitFor('address mismatch', () => b.metrics.get('adverts_rejected.address-mismatch') === 1);
    // Data from an address no verified advert names is dropped.
    await m.send(encodeDatagram({ type: 'data', payload: new Uint8Array([9, 9]) }), b.listenPort);
    await waitFor('unbound data dropped', () => b.metrics.get('discarded.unbound') >= 1);
    // ...and B asks the unknown sender who it is.
    await waitFor('HELLO (want reply) from B', () => m.received.some((r) => r.datagram?.type === 'hello' && r.datagram.wantReply));
    assert.is(rb.frames.length, 0);

    // A good advert binds the address; then an older one is a replay.
    const now = Date.now();
    await m.send(m.hello(m.advert({ issuedAt: now })), b.listenPort);
    await waitFor('M online at B', () => b.canReach(m.identity.nodeIdHex));
    await m.send(m.hello(m.advert({ issuedAt: now - 1000 })), b.listenPort);
    await waitFor('replayed', () => b.metrics.get('adverts_rejected.replayed') === 1);
    // The same advert again is not news and not a replay.
    await m.send(m.hello(m.advert({ issuedAt: now })), b.listenPort);
    await m.send(encodeDatagram({ type: 'data', payload: new Uint8Array([1, 2, 3]) }), b.listenPort);
    const f = await waitFor('data from the bound address', () => rb.frames[0]);
    assert.equal(f, { bearer: 'ip', from: m.identity.nodeIdHex, bytes: new Uint8Array([1, 2, 3]) });
    assert.is(b.metrics.get('adverts_rejected.replayed'), 1);
    assert.is(b.metrics.get('adverts_rejected.bad-signature'), 3);
  } finally {
    await m.stop();
  }
});

test('malformed datagrams and hostile TCP streams are counted and never take the bearer down', async () => {
  const b = await bearer();
  const a = await bearer({ peers: [b] });
  const rb = record(b);
  await waitFor('A sees B', () => a.canReach(idOf(b)));
  const m = new ScriptedPeer(generateIdentity());
  await m.start();
  try {
    const hostile: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([0x4c]),
      new Uint8Array([0x4c, 0x54, 9, 1]),
      new Uint8Array([0x4c, 0x54, 1, 77]),
      new Uint8Array([0x4c, 0x54, 1, 1, 0]),
      new Uint8Array([0x4c, 0x54, 1, 2, ...new Uint8Array(39)]),
      new Uint8Array([0x4c, 0x54, 1, 4, 3, 1, 2]),
      new Uint8Array(randomBytes(1400)),
    ];
    for (const d of hostile) await m.send(d, b.listenPort);
    const c = b.metrics.counters;
    await waitFor('all counted', () => ['not-lattice', 'version', 'unknown-type', 'malformed'].reduce((n, k) => n + (c[`discarded.${k}`] ?? 0), 0) === hostile.length);
    assert.ok(b.metrics.get('adverts_rejected.malformed') >= 2, 'bad adverts inside HELLO/PEERS count as rejected adverts');
  } finally {
    await m.stop();
  }

  // TCP: garbage, a handshake from a node B never verified, and a data frame before any handshake.
  const sendRaw = (bytes: Uint8Array) =>
    new Promise<void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: b.listenPort }, () => s.write(bytes));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      setTimeout(() => s.destroy(), 3000);
    });
  const stranger = generateIdentity();
  await sendRaw(encodeStreamFrame('hello', new Uint8Array([...stranger.nodeId, ...new Uint8Array(16)])));
  await sendRaw(encodeStreamFrame('data', new Uint8Array([1, 2, 3])));
  await sendRaw(new Uint8Array([0xff, 0x00, 0x4c, 0x53, 1, 0, 0, 0, 2, 1, 2]));
  assert.is(b.metrics.get('discarded.tcp-unknown-peer'), 1);
  assert.ok(b.metrics.get('discarded.tcp-protocol') >= 1);
  assert.ok(b.metrics.get('discarded.tcp-malformed') >= 1);
  assert.is(rb.frames.length, 0);

  // Connections that never finish the handshake: at most 4 at once from one address, 32 in all, hold a decoder
  // buffer (loopback sources 127.0.0.2... stand for other hosts).
  const open = (localAddress: string) => new Promise<ReturnType<typeof connect>>((resolve) => {
    const s = connect({ host: '127.0.0.1', port: b.listenPort, localAddress }, () => resolve(s));
    s.on('error', () => {});
  });
  const idle = await Promise.all(Array.from({ length: 6 }, () => open('127.0.0.1')));
  await waitFor('surplus connections from one address refused', () => b.metrics.get('discarded.tcp-busy-address') === 2);
  for (let host = 2; host <= 10; host++) idle.push(...(await Promise.all(Array.from({ length: 4 }, () => open(`127.0.0.${host}`)))));
  await waitFor('surplus connections refused', () => b.metrics.get('discarded.tcp-busy') === 8);
  for (const s of idle) s.destroy();
  await waitFor('the idle connections gone', () => (b.status().detail as { tcpHandshaking: number }).tcpHandshaking === 0);

  // Still working.
  assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: new Uint8Array(3000).fill(1) }), 'accepted');
  assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: new Uint8Array([5]) }), 'accepted');
  await waitFor('both frames at B', () => rb.frames.length === 2);
});

test('fuzz: a running bearer fed random and mutated datagrams keeps working', async () => {
  const b = await bearer();
  const a = await bearer({ peers: [b] });
  const rb = record(b);
  await waitFor('A sees B', () => a.canReach(idOf(b)));
  const m = new ScriptedPeer(generateIdentity());
  await m.start();
  try {
    const valid = [
      m.hello(m.advert(), true),
      encodeDatagram({ type: 'ping', nodeId: m.identity.nodeId, nonce: new Uint8Array(8) }),
      encodeDatagram({ type: 'pong', nodeId: m.identity.nodeId, echo: new Uint8Array(8) }),
      encodeDatagram({ type: 'peers', adverts: [m.advert(), m.advert({ addresses: ['127.0.0.2'] })] }),
      encodeDatagram({ type: 'data', payload: new Uint8Array([1, 2, 3]) }),
    ];
    const samples = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 1300 }),
        fc.tuple(fc.nat(valid.length - 1), fc.array(fc.tuple(fc.nat(1000), fc.nat(255)), { minLength: 1, maxLength: 4 })).map(([k, edits]) => {
          const d = valid[k]!.slice();
          for (const [i, v] of edits) d[i % d.length] = v;
          return d;
        }),
      ),
      { numRuns: 400, seed: 42 },
    );
    for (const d of samples) await m.send(d, b.listenPort);
    // A stranger pings B after the fuzz (B reads its one socket in order): once B asked it who it is, B has handled
    // (or its full socket buffer dropped) every fuzzed datagram. The ping is repeated until one gets through the
    // buffer the fuzz filled. Then two heartbeats of B answered by A: B ticked twice over what the fuzz left.
    const marker = new ScriptedPeer(generateIdentity());
    await marker.start();
    try {
      const ping = encodeDatagram({ type: 'ping', nodeId: marker.identity.nodeId, nonce: new Uint8Array(randomBytes(8)) });
      await waitFor("B's HELLO to the stranger, after the fuzz", async () => {
        if (marker.received.some((r) => r.datagram?.type === 'hello')) return true;
        await marker.send(ping, b.listenPort);
        return false;
      });
    } finally {
      await marker.stop();
    }
    const heardA = () => (b.status().detail as { peers: { nodeId: string; lastHeardAt?: number }[] }).peers.find((p) => p.nodeId === idOf(a))?.lastHeardAt ?? 0;
    let heard = heardA();
    let beats = 0;
    await waitFor('two heartbeats of B answered by A', () => {
      if (heardA() > heard) [heard, beats] = [heardA(), beats + 1];
      return beats >= 2;
    });
    assert.is(b.status().state, 'up');
    assert.is(b.metrics.get('discarded.internal'), 0, 'no handler threw');
    assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: new Uint8Array([42]) }), 'accepted');
    await waitFor('frame from A still arrives', () => rb.frames.find((f) => f.from === idOf(a)));

    // And random TCP streams, some starting with a well-formed HELLO from a stranger.
    const hello = encodeStreamFrame('hello', new Uint8Array([...m.identity.nodeId, ...new Uint8Array(16)]));
    const streams = fc.sample(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 3000 })), { numRuns: 20, seed: 7 });
    await Promise.all(
      streams.map(([withHello, junk]) => new Promise<void>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: b.listenPort }, () => {
          s.write(withHello ? Uint8Array.from([...hello, ...junk]) : junk);
          setTimeout(() => s.destroy(), 200);
        });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
      })),
    );
    assert.is(b.metrics.get('discarded.internal'), 0, 'no stream handler threw');
    assert.is(await a.send({ peer: idOf(b), kind: 'bundle', bytes: new Uint8Array(4000).fill(4) }), 'accepted');
    await waitFor('large frame from A still arrives', () => rb.frames.find((f) => f.from === idOf(a) && f.bytes.length === 4000));
  } finally {
    await m.stop();
  }
});

test('TCP: a peer whose TCP port never answers the handshake is unreachable; abort and stop reject AbortError', async () => {
  // Accepts, reads and discards, never answers the handshake.
  let holeConnections = 0;
  const hole: Server = createServer((s) => {
    holeConnections++;
    s.resume();
  });
  await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
  const holePort = (hole.address() as { port: number }).port;
  const b = await bearer({ connectTimeoutMs: 500 });
  const m = new ScriptedPeer(generateIdentity());
  await m.start();
  try {
    await m.send(m.hello(m.advert({ tcpPort: holePort })), b.listenPort);
    await waitFor('M online at B', () => b.canReach(m.identity.nodeIdHex));
    const big = new Uint8Array(10_000);
    assert.is(await b.send({ peer: m.identity.nodeIdHex, kind: 'bundle', bytes: big }), 'unreachable');

    const ac = new AbortController();
    const aborted = b.send({ peer: m.identity.nodeIdHex, kind: 'bundle', bytes: big }, { signal: ac.signal });
    ac.abort();
    try {
      await aborted;
      assert.unreachable('should reject');
    } catch (err) {
      assert.is((err as Error).name, 'AbortError');
    }
    const b2 = await bearer({ connectTimeoutMs: 20_000 });
    await m.send(m.hello(m.advert({ tcpPort: holePort }), true), b2.listenPort);
    await waitFor('M online at B2', () => b2.canReach(m.identity.nodeIdHex));
    const connectionsBefore = holeConnections;
    const pending = b2.send({ peer: m.identity.nodeIdHex, kind: 'bundle', bytes: big });
    await waitFor('B2 connected, waiting for the handshake', () => holeConnections > connectionsBefore);
    await b2.stop();
    try {
      await pending;
      assert.unreachable('should reject');
    } catch (err) {
      assert.is((err as Error).name, 'AbortError');
    }
    assert.is(b2.status().state, 'stopped');
    assert.not.ok(b2.canReach(BROADCAST));
  } finally {
    await m.stop();
    await new Promise<void>((resolve) => hole.close(() => resolve()));
  }
});

test('metrics land in the daemon registry; listener errors never reach the bearer', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const b = await rig.start({ metrics });
  b.on('frame', () => {
    throw new Error('listener bug');
  });
  const rb = record(b);
  const a = await bearer({ peers: [b] });
  await waitFor('A sees B', () => a.canReach(idOf(b)));
  assert.is(await a.send({ peer: idOf(b), kind: 'bloom', bytes: new Uint8Array([1]) }), 'accepted');
  await waitFor('frame', () => rb.frames[0]);
  await waitFor('B sees A', () => b.canReach(idOf(a)));
  const text = await metrics.render();
  assert.match(text, /lattice_ip_frames_in_total\{transport="udp"\} 1/);
  assert.match(text, /lattice_ip_peers 1/);
  assert.match(text, /lattice_peers\{bearer="ip"\} 1/);
});

test('start() on a port in use rejects with IpListenError and leaves the bearer stopped', async () => {
  const a = await bearer();
  const b = new IpBearer({ identity: generateIdentity(), listen: { host: '127.0.0.1', port: a.listenPort }, discovery: false, log });
  try {
    await b.start();
    assert.unreachable('should reject');
  } catch (err) {
    assert.is((err as Error).name, 'IpListenError');
  }
  assert.is(b.status().state, 'stopped');
  await b.stop();
});

test('constructor validates options and does no I/O', () => {
  const identity = generateIdentity();
  assert.throws(() => new IpBearer({ identity, listen: { host: 'localhost', port: 0 }, discovery: false }), /IPv4/);
  assert.throws(() => new IpBearer({ identity, listen: { host: '127.0.0.1', port: 0 }, staticPeers: ['nope'] }), /:port/);
  const b = new IpBearer({ identity, listen: { host: '127.0.0.1', port: 1 } });
  assert.is(b.status().state, 'stopped');
  assert.not.ok(b.canReach(BROADCAST));
  assert.ok(signAdvert(identity, { issuedAt: 1, udpPort: 1, tcpPort: 1, addresses: ['127.0.0.1'] }).bytes.length > 0);
});

test.run();
