/**
 * Fidelity: an independent client drives the simulated radio. @meshtastic/core 2.6.7 (the official JS SDK) ships
 * MeshDevice and its own stream framing (Utils.toDeviceStream / fromDeviceStream), but its Node TCP transport lives
 * in @meshtastic/transport-node, which is not installed. So this test builds the minimal Transport that package
 * builds (a node:net socket as web streams, through the SDK's own framing transforms) and hands it to MeshDevice:
 * nothing of ours is on the client side. It must reach DeviceConfigured (config_complete_id matched its nonce),
 * see our node info, 8 channels and the other nodes, get an ACK back for a text it sends and receive one.
 */
import { connect } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MeshDevice, Utils } from '@meshtastic/core';
import { startMeshtasticSim } from './start-meshtastic-sim.js';
import { waitFor as until } from '../../../lib/testing/wait-for.js';

const DEVICE_CONFIGURED = 7; // DeviceStatusEnum.DeviceConfigured in @meshtastic/core

test('@meshtastic/core MeshDevice completes the handshake with the simulator over TCP and gets an ACK', async () => {
  const sim = await startMeshtasticSim({ tcpPort: 0, seed: 11 });
  const socket = connect({ host: '127.0.0.1', port: sim.tcpPort! });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const toDevice = Utils.toDeviceStream();
  void toDevice.readable.pipeTo(Writable.toWeb(socket) as WritableStream<Uint8Array>).catch(() => {});
  const fromDevice = (Readable.toWeb(socket) as ReadableStream<Uint8Array>).pipeThrough(Utils.fromDeviceStream());
  const transport = { toDevice: toDevice.writable, fromDevice, disconnect: async () => void socket.end() };
  const device = new MeshDevice(transport as unknown as ConstructorParameters<typeof MeshDevice>[0]);
  // Its queue keeps a 60 s timer per packet; shorten it so this test process can exit promptly.
  (device as unknown as { queue: { timeout: number } }).queue.timeout = 3000;
  // Collect what the SDK logs at warn and above (tslog): e.g. "Invalid config id received" if the nonce were wrong.
  const complaints: string[] = [];
  const sdkLog = (device as unknown as { log: { settings: { minLevel: number; type: string }; attachTransport(t: (o: Record<string, unknown>) => void): void } }).log;
  sdkLog.settings.minLevel = 4;
  sdkLog.settings.type = 'hidden';
  // Only the logged arguments, not tslog's _meta: its file paths (a random temp checkout dir) must not match below.
  sdkLog.attachTransport((o) => complaints.push(JSON.stringify(Object.entries(o).filter(([k]) => k !== '_meta').map(([, v]) => v))));

  const statuses: number[] = [];
  const channels: number[] = [];
  const nodes: number[] = [];
  let myNodeNum = 0;
  let acked = false;
  device.events.onDeviceStatus.subscribe((s: number) => statuses.push(s));
  device.events.onChannelPacket.subscribe((c: { index: number }) => channels.push(c.index));
  device.events.onNodeInfoPacket.subscribe((n: { num: number }) => nodes.push(n.num));
  device.events.onMyNodeInfo.subscribe((m: { myNodeNum: number }) => (myNodeNum = m.myNodeNum));
  try {
    void device.configure().catch(() => {});
    await until('DeviceConfigured', () => statuses.includes(DEVICE_CONFIGURED));
    assert.is(myNodeNum, sim.device.myNodeNum);
    assert.equal(complaints.filter((c) => /config id|UNK/i.test(c) && !/Module Config packet of variant: UNK/.test(c)), []);
    assert.equal(channels, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(nodes.sort(), [sim.device.myNodeNum, 0x11111111, 0x22222222, 0x33333333, 0x44444444].sort());
    // A DM to Alice: the SDK resolves sendText when the Routing ACK for its packet id arrives.
    await device.sendText('hello from the official client', 0x11111111, true).then(() => (acked = true));
    assert.ok(acked);
    assert.ok(sim.device.mesh.textsReceivedBy(0x11111111).includes('hello from the official client'));
    // And the other way: a channel text from Bob reaches the SDK as a message packet.
    const got: { from: number; data: string; type: string }[] = [];
    device.events.onMessagePacket.subscribe((m: { from: number; data: string; type: string }) => got.push(m));
    sim.device.injectText({ from: 0x22222222, channel: 0, text: 'hello official client' });
    await until('SDK message packet', () => got.length === 1);
    assert.equal([got[0]!.from, got[0]!.data, got[0]!.type], [0x22222222, 'hello official client', 'broadcast']);
  } finally {
    device.complete();
    // The radio side closes first, so the SDK's stream sees a clean end rather than an aborted socket.
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    await sim.stop();
    await closed;
  }
});

test.run();
