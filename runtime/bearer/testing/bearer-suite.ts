/**
 * The Bearer contract suite: every promise written in runtime/bearer/bearer.ts, checked on a real instance (the
 * model is libp2p's interface-compliance tests). Each implementation gets a `*.test.ts` that hands the suite a
 * factory for a fresh rig per test and a small description of what the bearer legitimately does differently:
 *
 * - `carries: 'frames'`: Lattice frames between relays. The rig gives a second bearer of the same kind (the far
 *   side) that the bearer under test reaches once both run; frames go both ways through them.
 * - `carries: 'foreign'`: a gateway to a foreign mesh (Meshtastic, MeshCore). It carries only bundles, as text, to
 *   foreign addresses, and reports what it hears as `foreign` events; the rig is a simulated mesh.
 * - `acks`: received bundle frames carry `InFrame.settle`, and a unicast `accepted` waits for the far side to
 *   settle the frame as durable.
 * - `sendsAtOnce`: send() answers without waiting for any I/O (an in-memory broker), so no send is ever pending
 *   when stop() comes.
 *
 * Tests not meant for a capability are not registered for it (nothing is skipped at run time). Every wait is on a
 * positive event (lib/testing/wait-for.ts); nothing sleeps and then asserts that nothing happened.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BROADCAST, type Bearer, type BearerStatus, type FrameFate, type ForeignMessage, type InFrame, type OutFrame, type PeerEvent, type PeerId, type SendResult } from '../bearer.js';
import { encodeBundle } from '../../bundle/bundle-codec.js';
import { createBundle } from '../../bundle/create-bundle.js';
import { generateIdentity, type Identity } from '../../identity/identity.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { encodeFrame } from '../../wire/frame-codec.js';

export interface BearerCapabilities {
  carries: 'frames' | 'foreign';
  /** Received bundle frames carry InFrame.settle; a unicast `accepted` waits for the far side's settle. */
  acks: boolean;
  /** send() answers without waiting for I/O: a send cannot be pending at stop(). */
  sendsAtOnce?: boolean;
}

interface RigBase {
  /** The bearer under test: constructed, not started. */
  bearer: Bearer;
  /**
   * Whether the bearer holds I/O now, observed from outside where possible: its port bound, its link to the radio
   * open, its radio receiving, its presence on the hub or broker. False before start() and after stop().
   */
  holdsIo(): boolean | Promise<boolean>;
  /** Stops whatever the rig started (the far side, simulators); the suite stops the bearer itself. */
  close(): Promise<void>;
}

export interface FramesRig extends RigBase {
  carries: 'frames';
  /** A second bearer of the same kind, constructed, not started: the neighbour. */
  far: Bearer;
  /** Node ids of the bearer under test and of the far side. */
  id: PeerId;
  farId: PeerId;
  /** Called once both run: makes them meet sooner than their own period would (LoRa: an advert each way). */
  introduce?(): Promise<void>;
}

export interface ForeignRig extends RigBase {
  carries: 'foreign';
  /** A foreign address the gateway reaches once its radio session is up (a channel). */
  peer: PeerId;
  /** A well-formed foreign address it cannot reach (an unknown node, or one without a key). */
  unknownPeer: PeerId;
  /** Texts the foreign mesh heard on `peer` so far. */
  heard(): string[];
  /** A node of the foreign mesh says `text` where the gateway hears it. */
  say(text: string): void;
}

export type BearerRig = FramesRig | ForeignRig;

/** How a promise ended, without letting a rejection go unhandled while a test looks elsewhere. */
interface Outcome<T> {
  done: boolean;
  value?: T;
  error?: Error;
}

function track<T>(p: Promise<T>): { outcome: Outcome<T>; settled: Promise<Outcome<T>> } {
  const outcome: Outcome<T> = { done: false };
  const settled = p.then(
    (value) => Object.assign(outcome, { done: true, value }),
    (error: Error) => Object.assign(outcome, { done: true, error }),
  );
  return { outcome, settled };
}

const sender: Identity = generateIdentity();
let serial = 0;

/** A real, signed bundle frame (LoRa re-packs bundles it can decode; gateways read the text). */
function bundleFrame(peer: PeerId, text = `contract ${++serial}`): OutFrame {
  const recipient = peer.startsWith('mt:') || peer.startsWith('mc:') ? peer : null;
  const bundle = createBundle(sender, { recipient, text });
  return { peer, kind: 'bundle', bytes: encodeFrame({ kind: 'bundle', payload: encodeBundle(bundle) }), bundle };
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const STATES: BearerStatus['state'][] = ['starting', 'up', 'down', 'stopped'];

function assertShape(b: Bearer, s: BearerStatus): void {
  assert.is(s.name, b.name, 'status().name is the bearer name');
  assert.is(s.mode, b.mode, 'status().mode is the bearer mode');
  assert.type(s.kind, 'string');
  assert.ok(s.kind.length > 0, 'status().kind is named');
  assert.ok(STATES.includes(s.state), `status().state ${s.state}`);
  assert.ok(Array.isArray(s.peers) && s.peers.every((p) => typeof p === 'string'), 'status().peers is a list of peer ids');
  assert.ok(s.detail === undefined || (typeof s.detail === 'object' && s.detail !== null && !Array.isArray(s.detail)), 'status().detail is a record');
  // The API serves it as JSON: it must survive the trip.
  const back = JSON.parse(JSON.stringify(s)) as BearerStatus;
  assert.equal([back.name, back.state, back.peers], [s.name, s.state, s.peers]);
}

interface Ctx {
  rig: BearerRig;
}

export function bearerSuite(name: string, caps: BearerCapabilities, makeRig: () => Promise<BearerRig>) {
  const s = suite<Ctx>(`Bearer contract: ${name}`);

  s.before.each(async (ctx) => {
    ctx.rig = await makeRig();
    assert.is(ctx.rig.carries, caps.carries, 'the rig matches the capabilities');
  });

  s.after.each(async (ctx) => {
    await ctx.rig.bearer.stop();
    await ctx.rig.close();
  });

  /** Starts the bearer (and the far side) and waits until it reaches its peer. */
  async function up(rig: BearerRig): Promise<PeerId> {
    await rig.bearer.start();
    if (rig.carries === 'frames') {
      await rig.far.start();
      await rig.introduce?.();
      await waitFor('the far side reaches the bearer', () => rig.far.canReach(rig.id));
      await waitFor('the bearer reaches the far side', () => rig.bearer.canReach(rig.farId));
      return rig.farId;
    }
    await waitFor(`the gateway reaches ${rig.peer}`, () => rig.bearer.canReach(rig.peer));
    return rig.peer;
  }

  /** Records what arrives at the far side; settles each received frame with `fate` unless it is 'hold'. */
  function farFrames(rig: FramesRig, fate: FrameFate | 'hold' = 'stored'): InFrame[] {
    const got: InFrame[] = [];
    rig.far.on('frame', (f) => {
      got.push(f);
      if (fate !== 'hold') f.settle?.(fate);
    });
    return got;
  }

  /** A send that went out and arrived (frames), or was heard on the foreign mesh (foreign). */
  async function roundTrip(rig: BearerRig, got?: InFrame[]): Promise<void> {
    const peer = rig.carries === 'frames' ? rig.farId : rig.peer;
    const frame = bundleFrame(peer);
    assert.is(await rig.bearer.send(frame), 'accepted');
    if (rig.carries === 'frames') await waitFor('the frame at the far side', () => got!.some((f) => same(f.bytes, frame.bytes)));
    else {
      const text = new TextDecoder().decode(frame.bundle!.body);
      await waitFor('the text on the foreign mesh', () => rig.heard().some((t) => t.endsWith(text)));
    }
  }

  s('the constructor does no I/O: a bearer not started is stopped, reaches nobody and answers unreachable', async ({ rig }) => {
    const b = rig.bearer;
    const peer = rig.carries === 'frames' ? rig.farId : rig.peer;
    assert.is(await rig.holdsIo(), false, 'no I/O before start()');
    assertShape(b, b.status());
    assert.is(b.status().state, 'stopped');
    assert.equal(b.status().peers, []);
    assert.is(b.canReach(peer), false);
    assert.is(b.canReach(BROADCAST), false);
    assert.is(await b.send(bundleFrame(peer)), 'unreachable');
    await up(rig);
    assert.is(await rig.holdsIo(), true, 'start() did the I/O (so the probe above could have seen it)');
  });

  s('start() is idempotent, stop() undoes it and is idempotent, and the bearer starts again', async ({ rig }) => {
    const b = rig.bearer;
    const got = rig.carries === 'frames' ? farFrames(rig) : undefined;
    // What the neighbour hears of the bearer: a second start() must not announce it again.
    const seen: boolean[] = [];
    if (rig.carries === 'frames') rig.far.on('peer', (e) => e.peer === rig.id && seen.push(e.up));
    await Promise.all([b.start(), b.start()]);
    await up(rig);
    await b.start();
    assert.is(await rig.holdsIo(), true);
    await roundTrip(rig, got);
    assert.ok(seen.every((u, i) => i === 0 || !(u && seen[i - 1])), `the neighbour heard it come up twice in a row: ${seen.join(',')}`);
    await Promise.all([b.stop(), b.stop()]);
    await b.stop();
    assert.is(b.status().state, 'stopped');
    assert.equal(b.status().peers, []);
    assert.is(b.canReach(rig.carries === 'frames' ? rig.farId : rig.peer), false);
    assert.is(b.canReach(BROADCAST), false);
    assert.is(await rig.holdsIo(), false, 'stop() released what start() took');
    assert.is(await b.send(bundleFrame(rig.carries === 'frames' ? rig.farId : rig.peer)), 'unreachable', 'a stopped bearer answers, it does not reject');
    await up(rig);
    assert.is(await rig.holdsIo(), true);
    await roundTrip(rig, got);
  });

  s('status() has the promised shape through start, up and stop; a peer event names the bearer', async ({ rig }) => {
    const b = rig.bearer;
    const events: PeerEvent[] = [];
    b.on('peer', (e) => events.push(e));
    assertShape(b, b.status());
    await b.start();
    assertShape(b, b.status());
    assert.ok(['starting', 'up'].includes(b.status().state), `after start(): ${b.status().state}`);
    const peer = await up(rig);
    await waitFor('state up', () => b.status().state === 'up');
    await waitFor('the peer listed in status()', () => b.status().peers.includes(peer));
    assertShape(b, b.status());
    await waitFor('a peer up event for it', () => events.some((e) => e.peer === peer && e.up));
    assert.ok(events.every((e) => e.bearer === b.name && typeof e.up === 'boolean' && typeof e.peer === 'string'));
    await b.stop();
    assertShape(b, b.status());
    assert.is(b.status().state, 'stopped');
    assert.equal(b.status().peers, []);
  });

  s('canReach is a cheap synchronous answer that agrees with send()', async ({ rig }) => {
    const b = rig.bearer;
    const peer = await up(rig);
    const got = rig.carries === 'frames' ? farFrames(rig) : undefined;
    const unknown = rig.carries === 'frames' ? generateIdentity().nodeIdHex : rig.unknownPeer;
    for (const p of [peer, unknown, BROADCAST, '', 'nonsense', 'mt:zz', 'mc:zz', 'x'.repeat(4096)]) assert.type(b.canReach(p), 'boolean', `canReach(${JSON.stringify(p.slice(0, 20))})`);
    assert.is(b.canReach(peer), true);
    await roundTrip(rig, got);
    assert.is(b.canReach(unknown), false);
    assert.is(await b.send(bundleFrame(unknown)), 'unreachable');
  });

  s('a send whose signal is already aborted rejects with an AbortError-named error', async ({ rig }) => {
    const peer = await up(rig);
    const err = await rig.bearer.send(bundleFrame(peer), { signal: AbortSignal.abort() }).then(() => undefined, (e: Error) => e);
    assert.ok(err, 'rejected');
    assert.is(err!.name, 'AbortError');
  });

  s('a send pending when stop() is called rejects with an AbortError-named error', async ({ rig }) => {
    const peer = await up(rig);
    if (rig.carries === 'frames') farFrames(rig);
    const { outcome, settled } = track(rig.bearer.send(bundleFrame(peer)));
    await rig.bearer.stop();
    await settled;
    if (caps.sendsAtOnce) assert.is(outcome.value, 'accepted', 'the in-memory broker took it before stop()');
    else assert.is(outcome.error?.name, 'AbortError', `pending send ended with ${outcome.error?.name ?? outcome.value}`);
  });

  if (caps.carries === 'frames') {
    s('a frame sent to a neighbour or broadcast is accepted and arrives whole, never inside send()', async (ctx) => {
      const rig = ctx.rig as FramesRig;
      const got = farFrames(rig);
      let insideSend = false;
      let deliveredInside = false;
      rig.far.on('frame', () => {
        deliveredInside ||= insideSend;
      });
      await up(rig);
      for (const peer of [rig.farId, BROADCAST]) {
        const frame = bundleFrame(peer);
        insideSend = true;
        const result = rig.bearer.send(frame);
        insideSend = false;
        assert.is(await result, 'accepted', `to ${peer === BROADCAST ? 'BROADCAST' : 'the neighbour'}`);
        const f = await waitFor('the frame at the far side', () => got.find((x) => same(x.bytes, frame.bytes)));
        assert.is(f.bearer, rig.far.name);
        assert.is(f.from, rig.id);
      }
      assert.is(deliveredInside, false, 'no frame was delivered synchronously inside send()');
    });

    s('listener errors never reach the bearer; an unsubscribed listener hears nothing', async (ctx) => {
      const rig = ctx.rig as FramesRig;
      const b = rig.bearer;
      b.on('peer', () => {
        throw new Error('a buggy peer listener');
      });
      b.on('frame', () => {
        throw new Error('a buggy frame listener');
      });
      const removed: InFrame[] = [];
      const off = b.on('frame', (f) => removed.push(f));
      off();
      off();
      const got: InFrame[] = [];
      b.on('frame', (f) => {
        got.push(f);
        f.settle?.('stored');
      });
      const farGot = farFrames(rig);
      await up(rig);
      const frame = bundleFrame(rig.id);
      assert.is(await rig.far.send(frame), 'accepted');
      await waitFor('the frame at the bearer', () => got.some((f) => same(f.bytes, frame.bytes)));
      assert.is(removed.length, 0, 'the removed listener was not called');
      assert.is(b.status().state, 'up');
      await roundTrip(rig, farGot);
    });

    if (caps.acks) {
      s('accepted waits for the far side to settle: stored and duplicate are accepted, refused and not-stored are not', async (ctx) => {
        const rig = ctx.rig as FramesRig;
        let fate: FrameFate | 'hold' = 'hold';
        const held: InFrame[] = [];
        rig.far.on('frame', (f) => {
          assert.type(f.settle, 'function', 'a bundle frame carries settle');
          if (fate === 'hold') held.push(f);
          else f.settle!(fate);
        });
        await up(rig);
        const { outcome, settled } = track(rig.bearer.send(bundleFrame(rig.farId)));
        const first = await waitFor('the held frame at the far side', () => held[0]);
        assert.is(outcome.done, false, 'not answered before the far side settled it');
        first.settle!('stored');
        first.settle!('refused'); // a later call is ignored
        await settled;
        assert.is(outcome.value, 'accepted');
        const expected: Array<[FrameFate, SendResult]> = [['duplicate', 'accepted'], ['refused', 'unreachable'], ['not-stored', 'unreachable'], ['stored', 'accepted']];
        for (const [f, result] of expected) {
          fate = f;
          assert.is(await rig.bearer.send(bundleFrame(rig.farId)), result, `settled ${f}`);
        }
      });

      s('a send held by the far side rejects with AbortError on stop() and on abort, and settle after that does not throw', async (ctx) => {
        const rig = ctx.rig as FramesRig;
        const held = farFrames(rig, 'hold');
        await up(rig);
        const ac = new AbortController();
        const aborted = track(rig.bearer.send(bundleFrame(rig.farId), { signal: ac.signal }));
        await waitFor('the first frame held', () => held.length >= 1);
        ac.abort();
        await aborted.settled;
        assert.is(aborted.outcome.error?.name, 'AbortError', `aborted send ended with ${aborted.outcome.error?.name ?? aborted.outcome.value}`);
        const count = held.length;
        const stopped = track(rig.bearer.send(bundleFrame(rig.farId)));
        await waitFor('the second frame held', () => held.length > count);
        await rig.bearer.stop();
        await stopped.settled;
        assert.is(stopped.outcome.error?.name, 'AbortError', `pending send ended with ${stopped.outcome.error?.name ?? stopped.outcome.value}`);
        await rig.far.stop();
        for (const f of held) f.settle!('stored');
      });
    } else {
      s('a bearer without acknowledgements offers no settle on received frames', async (ctx) => {
        const rig = ctx.rig as FramesRig;
        const got: InFrame[] = [];
        rig.bearer.on('frame', (f) => got.push(f));
        await up(rig);
        const frame = bundleFrame(rig.id);
        assert.is(await rig.far.send(frame), 'accepted');
        const f = await waitFor('the frame at the bearer', () => got.find((x) => same(x.bytes, frame.bytes)));
        assert.is(f.settle, undefined);
      });
    }
  } else {
    s('a gateway carries bundles as text to the foreign mesh and nothing else', async (ctx) => {
      const rig = ctx.rig as ForeignRig;
      await up(rig);
      const frame = bundleFrame(rig.peer, `gateway ${++serial}`);
      assert.is(await rig.bearer.send(frame), 'accepted');
      const text = new TextDecoder().decode(frame.bundle!.body);
      await waitFor('the text on the foreign mesh', () => rig.heard().some((t) => t.endsWith(text)));
      assert.is(await rig.bearer.send({ peer: rig.peer, kind: 'bloom', bytes: new Uint8Array(8) }), 'unreachable', 'a bloom');
      assert.is(await rig.bearer.send({ peer: rig.peer, kind: 'bundle', bytes: frame.bytes }), 'unreachable', 'a bundle frame without its decoded bundle');
      assert.is(await rig.bearer.send(bundleFrame(generateIdentity().nodeIdHex)), 'unreachable', 'a Lattice node id');
      // A body sealed to a Lattice node cannot be shown on a foreign mesh, and an empty text is no message.
      const sealed = createBundle(sender, { recipient: generateIdentity().nodeId, text: 'secret' });
      assert.is(await rig.bearer.send({ ...frame, bundle: sealed }), 'unreachable', 'a sealed bundle');
      assert.is(await rig.bearer.send(bundleFrame(rig.peer, '')), 'unreachable', 'an empty text');
      assert.not.ok(rig.heard().some((t) => t.endsWith('secret')));
    });

    s('listener errors never reach the gateway; an unsubscribed listener hears nothing', async (ctx) => {
      const rig = ctx.rig as ForeignRig;
      const b = rig.bearer;
      b.on('peer', () => {
        throw new Error('a buggy peer listener');
      });
      b.on('foreign', () => {
        throw new Error('a buggy foreign listener');
      });
      const removed: ForeignMessage[] = [];
      const off = b.on('foreign', (m) => removed.push(m));
      off();
      off();
      const got: ForeignMessage[] = [];
      b.on('foreign', (m) => got.push(m));
      await up(rig);
      const text = `from the mesh ${++serial}`;
      rig.say(text);
      const m = await waitFor('the foreign message', () => got.find((x) => x.text === text));
      assert.is(m.bearer, b.name);
      assert.type(m.from, 'string');
      assert.type(m.receivedAt, 'number');
      assert.is(removed.length, 0, 'the removed listener was not called');
      assert.is(b.status().state, 'up');
      await roundTrip(rig);
    });
  }

  return s;
}
