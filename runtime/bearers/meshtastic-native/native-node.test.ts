/**
 * The native node as the relay sees it (a RadioGateway), over a fake stack: what the mesh hands the clients becomes
 * foreign messages, texts and bundles go into the mesh as a client's packets would, refusals are named, and status
 * and RadioInfo say what the node is.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import type { MeshPort } from '../../../firmware-protocol/meshtastic/device/mesh-port.js';
import { meshtasticModulation } from '../../../lib/lora/meshtastic-presets.js';
import { systemClock } from '../../../lib/clock/clock.js';
import { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import type { ForeignMessage, PeerEvent } from '../../bearer/bearer.js';
import { createLogger } from '../../log/logger.js';
import { FakeLoraAir } from '../lora/testing/fake-lora-air.js';
import { AirUtilisation } from './air-utilisation.js';
import { generateNativeIdentity } from './native-identity.js';
import { NativeNode } from './native-node.js';
import { NativeRadio } from './native-radio.js';
import { nativeRegionRules } from './native-region.js';
import type { NativeDeviceState, NativeStack } from './native-stack.js';

const BOB = 0x0b0b0b0b;
const EVE = 0x0e0e0e0e;

class FakeStack implements NativeStack {
  readonly sent: Mesh.MeshPacket[] = [];
  private readonly toPhone = new Set<(p: Mesh.MeshPacket) => void>();
  started = 0;
  readonly nodeList: Mesh.NodeInfo[];
  readonly port: MeshPort = {
    sendFromPhone: (p) => {
      this.sent.push(p);
      return p.id || 1000 + this.sent.length;
    },
    onToPhone: (l) => {
      this.toPhone.add(l);
      return () => this.toPhone.delete(l);
    },
  };
  clients(): number {
    return 2;
  }
  apiPort(): number {
    return 4403;
  }
  constructor(readonly me: number) {
    this.nodeList = [
      create(Mesh.NodeInfoSchema, { num: me, user: { longName: 'Rooftop relay', shortName: 'ROOF' } }),
      create(Mesh.NodeInfoSchema, { num: BOB, hopsAway: 0, lastHeard: Math.floor(Date.now() / 1000), snr: 6, position: { latitudeI: 525200000, longitudeI: 134050000 }, user: { longName: 'Bob', shortName: 'BOB', publicKey: new Uint8Array(32).fill(2) } }),
      create(Mesh.NodeInfoSchema, { num: EVE, hopsAway: 2, user: { longName: 'Eve', shortName: 'EVE' } }),
    ];
  }
  state(): NativeDeviceState {
    return { longName: 'Rooftop relay', shortName: 'ROOF', channels: [{ index: 0, name: 'LongFast', role: 'primary' }, { index: 1, name: 'hike', role: 'secondary' }], nodes: () => this.nodeList };
  }
  async start() { this.started++; }
  async stop() { this.started--; }
  deliver(p: Mesh.MeshPacket): void {
    for (const l of this.toPhone) l(p);
  }
}

async function node() {
  const identity = generateNativeIdentity(0x1234abcd);
  const stack = new FakeStack(identity.nodeNum);
  const utilisation = new AirUtilisation(systemClock);
  const air = new FakeLoraAir();
  const radio = new NativeRadio({
    name: 'mt0', radio: air.radio(), modulation: meshtasticModulation('EU_868', 'LONG_FAST'), utilisation, log: createLogger('test'),
    governor: new AirtimeGovernor({ region: nativeRegionRules('EU_868'), ledger: new AirtimeLedger(), policy: 'fail' }),
  });
  const n = new NativeNode({
    name: 'mt0', nodeNum: identity.nodeNum, publicKey: identity.publicKey, role: 'ROUTER', region: 'EU_868', preset: 'LONG_FAST',
    radio, stack, utilisation, device: 'emulated', log: createLogger('test'), clock: systemClock, api: { host: '127.0.0.1', port: 0 },
  });
  const foreign: ForeignMessage[] = [];
  const peers: PeerEvent[] = [];
  n.on('foreign', (m) => foreign.push(m));
  n.on('peer', (e) => peers.push(e));
  return { n, stack, foreign, peers };
}

const text = (from: number, to: number, channel: number, s: string, id: number) => create(Mesh.MeshPacketSchema, {
  from, to, channel, id, rxSnr: 5.5, rxRssi: -80,
  payloadVariant: { case: 'decoded', value: { portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode(s) } },
});

test('texts the mesh hands the clients become foreign messages (channel and DM), once each', async () => {
  const { n, stack, foreign, peers } = await node();
  await n.start();
  try {
    assert.equal(peers.filter((p) => p.up).map((p) => p.peer), ['mt:ch:0', 'mt:ch:1', 'mt:!0b0b0b0b']);
    stack.deliver(text(BOB, 0xffffffff, 1, 'on the ridge', 7));
    stack.deliver(text(BOB, 0xffffffff, 1, 'on the ridge', 7));
    stack.deliver(text(BOB, 0x1234abcd, 0, 'psst', 8));
    stack.deliver(text(0x1234abcd, 0xffffffff, 0, 'our own echo', 9));
    assert.equal(foreign.map((m) => [m.from, m.fromName, m.to, m.direct, m.text, m.packetId, m.snr]), [
      ['mt:!0b0b0b0b', 'Bob', 'mt:ch:1', false, 'on the ridge', 7, 5.5],
      ['mt:!0b0b0b0b', 'Bob', 'mt:!1234abcd', true, 'psst', 8, 5.5],
    ]);
    // A NodeInfo with a public key makes the node reachable for DMs.
    stack.deliver(create(Mesh.MeshPacketSchema, {
      from: EVE, to: 0xffffffff, id: 10,
      payloadVariant: { case: 'decoded', value: { portnum: Portnums.PortNum.NODEINFO_APP, payload: toBinary(Mesh.UserSchema, create(Mesh.UserSchema, { longName: 'Eve', publicKey: new Uint8Array(32).fill(5) })) } },
    }));
    assert.ok(peers.some((p) => p.up && p.peer === 'mt:!0e0e0e0e'));
  } finally {
    await n.stop();
  }
});

test('sendText goes into the mesh as a client packet; refusals are named; status and RadioInfo describe the node', async () => {
  const { n, stack } = await node();
  assert.equal(await n.sendText({ to: 'mt:ch:0', text: 'hi' }), { status: 'refused', reason: 'link-down' });
  await n.start();
  try {
    const r = await n.sendText({ to: 'mt:ch:1', text: 'hello hikers', key: new Uint8Array([1, 2, 3]) });
    assert.is(r.status, 'sent');
    const p = stack.sent[0]!;
    assert.equal([p.to, p.channel, p.wantAck, p.from, p.hopLimit], [0xffffffff, 1, true, 0, 0]);
    assert.ok(p.id !== 0, 'a keyed text has a stable id');
    assert.is(p.payloadVariant.case === 'decoded' && new TextDecoder().decode(p.payloadVariant.value.payload), 'hello hikers');
    await n.sendText({ to: 'mt:!0b0b0b0b', text: 'dm' });
    assert.equal([stack.sent[1]!.to, stack.sent[1]!.id], [BOB, 0]);
    assert.equal((await n.sendText({ to: 'mt:ch:5', text: 'x' })), { status: 'refused', reason: 'no-channel', detail: 'channel 5 is not enabled' });
    assert.equal(await n.sendText({ to: 'mt:!0e0e0e0e', text: 'x' }), { status: 'refused', reason: 'no-key' });
    assert.equal(await n.sendText({ to: 'mt:!0f0f0f0f', text: 'x' }), { status: 'refused', reason: 'unknown-node' });
    assert.is((await n.sendText({ to: 'bogus', text: 'x' })).status, 'refused');
    assert.ok(n.canReach('mt:ch:0') && n.canReach('mt:!0b0b0b0b'));
    assert.not.ok(n.canReach('mt:!0e0e0e0e') || n.canReach('*'));
    const s = n.status();
    assert.is(s.kind, 'meshtastic-native');
    assert.is(s.state, 'up');
    const d = s.detail!;
    assert.equal([d.nodeNum, d.nodeId, d.role, d.region, d.modemPreset, d.frequencyHz, d.nodes, d.clients], [0x1234abcd, '!1234abcd', 'ROUTER', 'EU_868', 'LONG_FAST', 869_525_000, 2, 2]);
    assert.is(d.dutyCyclePercent, 10, "EU_868's 10 % (the dashboard's airtime budget)");
    assert.equal((d.neighbours as Array<{ id: string }>).map((x) => x.id), ['!0b0b0b0b']);
    assert.equal((d.channels as unknown[]).length, 2);
    assert.is(d.api, '127.0.0.1:4403');
    const info = n.radio();
    assert.equal([info.mesh, info.link.state, info.self?.address, info.self?.name, info.self?.role], ['meshtastic', 'up', 'mt:!1234abcd', 'Rooftop relay', 'ROUTER']);
    assert.equal(info.channels.map((c) => c.address), ['mt:ch:0', 'mt:ch:1']);
    assert.equal(info.nodes.map((x) => [x.address, x.hops]), [['mt:!0b0b0b0b', 0], ['mt:!0e0e0e0e', 2]]);
    // Where the NodeDB knows it: SNR of a direct neighbour, the position in degrees (the dashboard's map).
    assert.is(info.nodes[0]!.snr, 6);
    assert.ok(Math.abs(info.nodes[0]!.position!.lat - 52.52) < 1e-9 && Math.abs(info.nodes[0]!.position!.lon - 13.405) < 1e-9);
    assert.is(info.nodes[1]!.position, undefined);
    assert.equal([info.modulation?.spreadingFactor, info.modulation?.preambleLength, info.modulation?.preset], [11, 16, 'LONG_FAST']);
  } finally {
    await n.stop();
  }
  assert.is(stack.started, 0);
  assert.is(n.radio().link.state, 'stopped');
});

test.run();
