/**
 * Several clients at once on the TCP API (DeviceServer): two official @meshtastic/core clients each complete their
 * own handshake, a packet from the mesh reaches both, an ACK reaches the one that sent; a client that sends garbage
 * or stalls mid-frame loses its connection and the others keep working; `clients: 'one'` is the firmware's
 * "a new client kicks the old". The radio behind is the simulator's (SimDevice is the MeshPort).
 */
import { connect, type Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MeshDevice, Utils } from '@meshtastic/core';
import { SimDevice } from '../sim/sim-device.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { DeviceServer } from './device-server.js';
import { ByteClient, pythonWantConfig } from './testing/python-cli.js';

const DEVICE_CONFIGURED = 7; // DeviceStatusEnum.DeviceConfigured in @meshtastic/core
const ALICE = 0x11111111;
const BOB = 0x22222222;

async function open(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** The official client on a node:net socket through the SDK's own stream framing (as sim-fidelity.test.ts). */
async function officialClient(port: number) {
  const socket = await open(port);
  const toDevice = Utils.toDeviceStream();
  void toDevice.readable.pipeTo(Writable.toWeb(socket) as WritableStream<Uint8Array>).catch(() => {});
  const fromDevice = (Readable.toWeb(socket) as ReadableStream<Uint8Array>).pipeThrough(Utils.fromDeviceStream());
  const transport = { toDevice: toDevice.writable, fromDevice, disconnect: async () => void socket.end() };
  const device = new MeshDevice(transport as unknown as ConstructorParameters<typeof MeshDevice>[0]);
  (device as unknown as { queue: { timeout: number } }).queue.timeout = 3000;
  const log = (device as unknown as { log: { settings: { minLevel: number; type: string } } }).log;
  log.settings.minLevel = 6;
  log.settings.type = 'hidden';
  const statuses: number[] = [];
  const texts: string[] = [];
  device.events.onDeviceStatus.subscribe((s: number) => statuses.push(s));
  device.events.onMessagePacket.subscribe((m: { data: string }) => texts.push(m.data));
  void device.configure().catch(() => {});
  await waitFor('DeviceConfigured', () => statuses.includes(DEVICE_CONFIGURED));
  return { socket, device, texts };
}

function closed(socket: Socket): Promise<void> {
  return new Promise((r) => (socket.destroyed ? r() : socket.once('close', () => r())));
}

test('two official clients at once: both configured, a mesh text reaches both, each ACK its sender; garbage and a stall drop only their client', async () => {
  const sim = new SimDevice({ seed: 3 });
  const server = new DeviceServer(sim.service, { midFrameTimeoutMs: 300 });
  await server.start(0);
  const a = await officialClient(server.port);
  const b = await officialClient(server.port);
  try {
    assert.is(server.connections, 2);
    sim.injectText({ from: BOB, text: 'hello both' });
    await waitFor('both got it', () => a.texts.includes('hello both') && b.texts.includes('hello both'));
    await a.device.sendText('from a', ALICE, true);
    await b.device.sendText('from b', ALICE, true);
    assert.ok(sim.mesh.textsReceivedBy(ALICE).includes('from a') && sim.mesh.textsReceivedBy(ALICE).includes('from b'));

    // Garbage: 600 bytes without a frame start.
    const junk = await open(server.port);
    junk.write(new Uint8Array(600).fill(0x41));
    await closed(junk);
    assert.is(server.stats.dropped.garbage, 1);
    // A stall: a header promising 16 bytes, then one byte, then silence.
    const stall = await open(server.port);
    stall.write(Uint8Array.of(0x94, 0xc3, 0x00, 0x10, 0x01));
    await closed(stall);
    assert.is(server.stats.dropped['stalled-mid-frame'], 1);
    // The Python CLI's 32 wake bytes before its first frame are not garbage.
    const py = await open(server.port);
    const got = new ByteClient();
    py.on('data', (d) => got.sink.write(new Uint8Array(d)));
    py.write(ByteClient.wake());
    py.write(ByteClient.frame(pythonWantConfig(4242)));
    await waitFor('python handshake', () => got.configComplete(4242));
    py.destroy();

    sim.injectText({ from: BOB, text: 'still here' });
    await waitFor('both still served', () => a.texts.includes('still here') && b.texts.includes('still here'));
  } finally {
    a.device.complete();
    b.device.complete();
    const done = Promise.all([closed(a.socket), closed(b.socket)]);
    await server.stop();
    await done;
    sim.stop();
  }
});

test("clients: 'one' is the firmware's ServerAPI: a new connection closes the previous one cleanly", async () => {
  const sim = new SimDevice({ seed: 4 });
  const server = new DeviceServer(sim.service, { clients: 'one' });
  await server.start(0);
  try {
    const first = await open(server.port);
    const ended = new Promise<void>((r) => first.once('end', () => r()));
    first.on('error', () => {});
    const second = await open(server.port);
    await ended;
    assert.is(server.stats.displaced, 1);
    assert.is(server.connections, 1);
    second.destroy();
    first.destroy();
  } finally {
    await server.stop();
    sim.stop();
  }
});

test.run();
