/**
 * The LoRa bearer speaking Lattice v2 on emulated SX1262s: v2 frames only to neighbours that advertised v2 (a v1
 * neighbour still gets v1 and still decodes), the 5-byte ACK, the same bundle id on both sides, and delayed key
 * disclosure end to end: the origin's anchor after its advert, its key frame after the delay, the receiver's verdict
 * (verified for the origin's broadcast, forged for a group member's broadcast in the origin's name).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateIdentity, type Identity } from '../../../identity/identity.js';
import { createLoraNeighbourhood } from '../sim/lora-neighbourhood.js';
import { BROADCAST, type InFrame } from '../../../bearer/bearer.js';
import { createBundle } from '../../../bundle/create-bundle.js';
import { encodeBundle, decodeBundle } from '../../../bundle/bundle-codec.js';
import { bundleIdHex } from '../../../bundle/bundle-id.js';
import { encodeFrame, decodeFrame } from '../../../wire/frame-codec.js';
import { stampAt } from '../../../bundle/stamp.js';
import { isV2 } from './v2-frame.js';
import { setLogSink } from '../../../log/logger.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';

setLogSink(() => undefined, 'silent');
const frameOf = (b: ReturnType<typeof createBundle>) => encodeFrame({ kind: 'bundle', payload: encodeBundle(b) });
const idOf = (f: InFrame) => bundleIdHex(f.bundle ?? decodeBundle(decodeFrame(f.bytes).payload));

test('v2 to v2 neighbours (5-byte ACK, same bundle id), v1 to a v1 neighbour and on broadcast while one is in range', async () => {
  const [a, b, c] = [generateIdentity(), generateIdentity(), generateIdentity()];
  const hood = createLoraNeighbourhood({ nodes: [
    { name: 'A', nodeId: a.nodeId, x: 0, v2: { identity: a } },
    { name: 'B', nodeId: b.nodeId, x: 1000, v2: { identity: b } },
    { name: 'C', nodeId: c.nodeId, x: 2000 },
  ] });
  const inbox = new Map<string, InFrame[]>([['A', []], ['B', []], ['C', []]]);
  for (const [n, list] of inbox) hood.bearer(n).on('frame', (f) => { list.push(f); f.settle?.('stored'); });
  try {
    await hood.start();
    const log = hood.emulated.air.log;
    const stamp = stampAt(Date.now());
    const dm = createBundle(a, { recipient: b.nodeId, text: 'v2 please', stamp });
    let from = log.length;
    assert.is(await hood.bearer('A').send({ peer: b.nodeIdHex, kind: 'bundle', bytes: frameOf(dm) }), 'accepted');
    const sent = log.slice(from);
    assert.ok(sent.every((f) => isV2(f.payload)), 'DM and ACK are v2');
    // 20 B overhead: the origin to the recipient, keys implied (S, R), 8-B tag, 4-B hop MAC.
    assert.equal(sent.map((f) => f.payload.length).sort((x, y) => x - y), [5, 'v2 please'.length + 20]);
    await waitFor('B has it', () => inbox.get('B')!.length === 1);
    assert.is(idOf(inbox.get('B')![0]!), bundleIdHex(dm));

    from = log.length;
    const toC = createBundle(a, { recipient: c.nodeId, text: 'v1 for you', stamp: stamp + 1 });
    assert.is(await hood.bearer('A').send({ peer: c.nodeIdHex, kind: 'bundle', bytes: frameOf(toC) }), 'accepted');
    assert.ok(log.slice(from).every((f) => !isV2(f.payload)), 'C gets v1');
    await waitFor('C has it', () => inbox.get('C')!.length === 1);
    assert.is(idOf(inbox.get('C')![0]!), bundleIdHex(toC));

    from = log.length;
    const all = createBundle(a, { recipient: null, text: 'everyone', stamp: stamp + 2 });
    assert.is(await hood.bearer('A').send({ peer: BROADCAST, kind: 'bundle', bytes: frameOf(all) }), 'accepted');
    assert.ok(log.slice(from).every((f) => !isV2(f.payload)), 'a v1 neighbour in range: the broadcast goes as v1');
    await waitFor('B and C have the broadcast', () => inbox.get('B')!.length === 2 && inbox.get('C')!.length === 2);
  } finally {
    await hood.stop();
  }
});

test('delayed key disclosure over the air: verified for the origin, forged for a group member in its name', async () => {
  const chain = { n: 4096, intervalS: 1, delay: 3 };
  const ids: Identity[] = [generateIdentity(), generateIdentity(), generateIdentity()];
  const [a, b, m] = ids;
  const hood = createLoraNeighbourhood({ nodes: ids.map((id, i) => ({ name: 'ABM'[i]!, nodeId: id.nodeId, x: 500 * i, v2: { identity: id, chain, maxSkewS: 0 } })) });
  const inbox: InFrame[] = [];
  hood.bearer('B').on('frame', (f) => inbox.push(f));
  try {
    await hood.start();
    const stamp = stampAt(Date.now());
    const real = createBundle(a!, { recipient: null, text: 'really A', stamp });
    assert.is(await hood.bearer('A').send({ peer: BROADCAST, kind: 'bundle', bytes: frameOf(real) }), 'accepted');
    // M holds the group key and claims to relay a broadcast of A in the same second, with a made-up sender MAC.
    const fake = { ...createBundle(a!, { recipient: null, text: 'not A at all', stamp }), signature: Uint8Array.of(1, 2, 3, 4) };
    assert.is(await hood.bearer('M').send({ peer: BROADCAST, kind: 'bundle', bytes: frameOf(fake) }), 'accepted');
    await waitFor('both at B', () => inbox.length === 2);
    const counters = hood.bearer('B').metrics.counters;
    assert.is(counters['v2_sender_auth.verified'], undefined, 'nothing is verified before the disclosure');
    // A's sweep sends its key frame once interval j + delay has begun (a few seconds of real time here).
    await waitFor('A discloses and B decides', () => {
      hood.bearer('A').sweep();
      return counters['v2_sender_auth.verified'] === 1 && counters['v2_sender_auth.forged'] === 1;
    }, 15_000, 200);
    assert.is(hood.bearer('A').metrics.counters['frames_out.chain']! >= 3, true, 'anchors after adverts, then the key');
  } finally {
    await hood.stop();
  }
});

test.run();
