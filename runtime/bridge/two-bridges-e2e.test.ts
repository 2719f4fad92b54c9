/**
 * Two bridges on the same pair of meshes: two relays (real Daemons), each with its own Meshtastic and MeshCore
 * companion radio (firmware simulators on real PTYs). The test joins the simulated air: both relays' radios hear the
 * mesh users, and what one relay's radio transmits the other relay's radio on the same mesh hears, as real radios in
 * range of each other would. A text from either mesh crosses once per bridge, and the copies each bridge hears from
 * the other are recognised (attribution, echo window) and dropped as loops: traffic settles instead of ping-ponging.
 * Once a bridge has heard the other on a mesh, it holds its channel parts for that mesh a while and drops them when
 * the other bridge sent the same words first, so users see one copy.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { MeshtasticSim } from '../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import type { MeshCoreSim } from '../../firmware-protocol/meshcore/sim/start-sim.js';
import type { Daemon } from '../daemon/daemon.js';
import { bearerUp, relayConfig, startRadios, startRelay, tempRoot, until } from './testing/bridge-rig.js';

const MT_BOB = 0x22222222; // "Bob Handheld" in the Meshtastic simulator's default mesh
const BROADCAST = 0xffffffff;
const root = tempRoot('lattice-two-bridges-');

interface Side {
  name: string;
  mtNum: number;
  mt: MeshtasticSim;
  mc: MeshCoreSim;
  relay: Daemon;
}
const sides: Side[] = [];
const unhook: Array<() => void> = [];

/**
 * While set, what one relay's radio transmits reaches the other relay's radio only when `openAir` is called: the
 * copies are held back until both bridges have sent their own. Tests 1 and 2 are about two bridges that both send
 * and then hear each other's copy; without this, under load one bridge's copy could arrive before the other had sent
 * its own, and that one would then rightly step aside (test 3's case) instead of sending.
 */
let heldAir: Array<() => void> | undefined;
const holdAir = () => void (heldAir = []);
function openAir(): void {
  const held = heldAir ?? [];
  heldAir = undefined;
  for (const deliver of held) deliver();
}
const carry = (deliver: () => void) => (heldAir ? heldAir.push(deliver) : deliver());

/** Lets `from`'s radios be heard by `to`'s radios: channel texts on both meshes. */
function joinAir(from: Side, to: Side): void {
  // Meshtastic: a node standing for `to`'s radio in `from`'s simulated mesh; what it receives, `to`'s radio hears.
  from.mt.device.mesh.addNode({ num: to.mtNum, longName: `${to.name} MT`, channels: [0] });
  unhook.push(from.mt.device.mesh.onReceived((r, node) => {
    if (node.num !== to.mtNum || r.to !== BROADCAST || r.text === undefined) return;
    const text = r.text;
    carry(() => to.mt.device.injectText({ from: from.mtNum, channel: r.channel, text }));
  }));
  // MeshCore: likewise a chat node named as `to`'s radio; a channel text arrives as "<sender radio name>: <text>".
  from.mc.mesh.addNode({ name: `${to.name}-mc`, hops: 1 });
  const speaker = () => to.mc.mesh.node(`${from.name}-mc`);
  unhook.push(from.mc.mesh.onHeard((h) => {
    if (h.kind !== 'channel' || !h.nodes.some((n) => n.name === `${to.name}-mc`)) return;
    const prefix = `${from.name}-mc: `;
    const words = h.message.text.startsWith(prefix) ? h.message.text.slice(prefix.length) : h.message.text;
    carry(() => speaker().sendChannel('Public', words));
  }));
}

const bridged = (s: Side) => s.relay.bridge!.status().bridged;
const loops = (s: Side) => s.relay.bridge!.status().dropped.loop ?? 0;
const queued = (s: Side) => s.relay.bridge!.status().queues['mt-to-mc'] + s.relay.bridge!.status().queues['mc-to-mt'];
const decided = (s: Side) => loops(s) + bridged(s)['mt-to-mc'] + bridged(s)['mc-to-mt'];

/**
 * Resolves once every bridge has decided on the other's copy (dropped it as a loop, or wrongly bridged it back) and
 * has nothing queued: the traffic has settled, nothing more is on its way.
 */
async function settled(before: number[]): Promise<void> {
  await until('each bridge decided on the other\'s copy, nothing queued', () => sides.every((s, i) => decided(s) > before[i]! && queued(s) === 0), 30_000);
}

test.before(async () => {
  // Both relays and their radios start at once (the order in `sides` stays Relay1, Relay2).
  sides.push(...await Promise.all(['Relay1', 'Relay2'].map(async (name, i) => {
    const mtNum = 0x5eed0101 + i;
    const { mt, mc } = await startRadios(name, mtNum);
    // Relay1 never waits; Relay2 waits 3-12 s once it has heard Relay1 on a mesh, so the order is fixed here: longer
    // than the 2 s the Meshtastic radio spaces texts (the firmware's rate limit), which can hold Relay1's copy back.
    // Relay2 drops its copy as soon as it hears Relay1's, so the longer hold costs no time.
    const config = await relayConfig(join(root.dir, name), mt, mc, { peerHoldoffMs: i === 0 ? 0 : 12_000 });
    return { name, mtNum, mt, mc, relay: await startRelay(config) };
  })));
  // Both MeshCore radios must know each other's name before traffic flows; the join is symmetric.
  joinAir(sides[0]!, sides[1]!);
  joinAir(sides[1]!, sides[0]!);
  for (const s of sides) await until(`${s.name} radios up`, () => bearerUp(s.relay, 'meshtastic') && bearerUp(s.relay, 'meshcore'));
});

test.after(async () => {
  for (const u of unhook) u();
  for (const s of sides) {
    await s.relay.stop();
    await s.mt.stop();
    await s.mc.stop();
  }
  root.remove();
});

test('Meshtastic text heard by both bridges crosses once per bridge; each drops the other\'s copy as a loop', async () => {
  const [r1, r2] = sides as [Side, Side];
  const before = sides.map((s) => decided(s) + 1); // + its own copy
  holdAir();
  for (const s of sides) s.mt.device.injectText({ from: MT_BOB, channel: 0, text: 'valley is flooded' });
  await until('both sent their own copy', () => sides.every((s) => bridged(s)['mt-to-mc'] === 1));
  openAir();
  await until('both bridged it', () => sides.every((s) => s.mc.mesh.channelLog.some((m) => m.text.endsWith('valley is flooded'))));
  await settled(before);
  for (const s of sides) {
    const own = s.mc.mesh.channelLog.filter((m) => m.text.includes('valley is flooded')).map((m) => m.text);
    assert.equal(own, [`${s.name}-mc: MT@Bob Handheld: valley is flooded`], `${s.name}'s radio sent it once, unchanged`);
    assert.is(bridged(s)['mt-to-mc'], 1);
    assert.is(bridged(s)['mc-to-mt'], 0, `${s.name} did not send the other bridge's copy back to Meshtastic`);
  }
  assert.ok(loops(r1) >= 1 && loops(r2) >= 1, `each bridge dropped the other's copy (loops ${loops(r1)}, ${loops(r2)})`);
});

test('MeshCore text heard by both bridges crosses once per bridge, nothing comes back', async () => {
  const before = sides.map((s) => ({ ...bridged(s) }));
  const loopsBefore = sides.map(loops);
  const decidedBefore = sides.map((s) => decided(s) + 1); // + its own copy
  holdAir();
  for (const s of sides) s.mc.mesh.node('Alice').sendChannel('Public', 'bridge on the east road is out');
  await until('both sent their own copy', () => sides.every((s, i) => bridged(s)['mc-to-mt'] === before[i]!['mc-to-mt'] + 1));
  openAir();
  await until('Bob heard both copies', () => sides.every((s) => s.mt.device.mesh.textsReceivedBy(MT_BOB).some((t) => t.endsWith('east road is out'))));
  await settled(decidedBefore);
  for (const [i, s] of sides.entries()) {
    assert.equal(s.mt.device.mesh.textsReceivedBy(MT_BOB).filter((t) => t.includes('east road')), ['MC@Alice: bridge on the east road is out']);
    assert.is(bridged(s)['mc-to-mt'], before[i]!['mc-to-mt'] + 1);
    assert.is(bridged(s)['mt-to-mc'], before[i]!['mt-to-mc'], `${s.name} did not send the other bridge's copy back to MeshCore`);
    assert.ok(loops(s) > loopsBefore[i]!, `${s.name} counted the other bridge's copy as a loop`);
  }
  // No relay's radio ever said something already attributed twice ("MC@… MT@…").
  for (const s of sides) {
    assert.not.ok(s.mc.mesh.channelLog.some((m) => /(MT|MC)@[^:]+: (MT|MC)@/.test(m.text)));
    assert.not.ok(s.mt.device.mesh.textsReceivedBy(MT_BOB).some((t) => /(MT|MC)@[^:]+: (MT|MC)@/.test(t)));
  }
});

test('once each has heard the other, the later bridge drops its copy: users see the text once', async () => {
  const [r1, r2] = sides as [Side, Side];
  const dupBefore = r2.relay.bridge!.status().dropped.duplicate ?? 0;
  const before = sides.map((s) => ({ ...bridged(s) }));
  for (const s of sides) s.mt.device.injectText({ from: MT_BOB, channel: 0, text: 'heading down now' });
  for (const s of sides) s.mc.mesh.node('Alice').sendChannel('Public', 'see you at the hut');
  await until('Relay2 dropped both copies', () => (r2.relay.bridge!.status().dropped.duplicate ?? 0) === dupBefore + 2, 20_000);
  // Relay1 sent each once; its two copies reached Relay2, which counted them (loops) when it dropped its own.
  await until('Relay1 sent both, nothing queued anywhere', () =>
    bridged(r1)['mt-to-mc'] === before[0]!['mt-to-mc'] + 1 && bridged(r1)['mc-to-mt'] === before[0]!['mc-to-mt'] + 1 && sides.every((s) => queued(s) === 0), 20_000);
  // Relay1 sent each once; Relay2, holding off, heard Relay1's copies and sent nothing.
  assert.is(bridged(r1)['mt-to-mc'], before[0]!['mt-to-mc'] + 1);
  assert.is(bridged(r1)['mc-to-mt'], before[0]!['mc-to-mt'] + 1);
  assert.equal(bridged(r2), before[1]);
  assert.equal(r1.mc.mesh.channelLog.filter((m) => m.text.includes('heading down')).map((m) => m.text), ['Relay1-mc: MT@Bob Handheld: heading down now']);
  assert.not.ok(r2.mc.mesh.channelLog.some((m) => m.text.includes('heading down')));
  assert.equal(r1.mt.device.mesh.textsReceivedBy(MT_BOB).filter((t) => t.includes('the hut')), ['MC@Alice: see you at the hut']);
  assert.not.ok(r2.mt.device.mesh.textsReceivedBy(MT_BOB).some((t) => t.includes('the hut')));
});

test.run();
