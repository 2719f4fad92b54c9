/**
 * MeshCore over BLE against the simulated companion: the gateway contract suite (the same one as over a PTY and
 * TCP) through node-ble, our facade and the BlueZ mock, with the simulator behind the Nordic UART GATT objects
 * (testing/ble-sim-bridge.ts). Then pairing (right PIN, wrong PIN, bonded reconnects) and notification handling.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BluezMock, type MockRadio } from '../../drivers/ble/testing/bluez-mock.js';
import { startMeshCoreSim, type MeshCoreSim } from '../../firmware-protocol/meshcore/sim/start-sim.js';
import { encodeMeshCoreFrame, MeshCoreFrameDecoder } from '../../firmware-protocol/framing/meshcore-frame.js';
import { meshCoreOpener } from '../bearers/meshcore/device-opener.js';
import { meshCoreGatewaySuite } from '../bearers/meshcore/testing/gateway-suite.js';
import { BleMeshCoreLink } from './ble-meshcore-link.js';
import { BleSimBridge } from './testing/ble-sim-bridge.js';

const NODES = [{ name: 'Alice', hops: 2 }, { name: 'Bob', hops: 1 }];
const RADIO = { bwHz: 500000, sf: 7, cr: 5 };
const mock = await BluezMock.start();
let seq = 0;

function nextAddress(): string {
  seq++;
  return `C0:FF:EE:00:01:${seq.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** A simulated companion behind a fresh BLE radio; the sim's link faults also act on the BLE link. */
async function bleTarget(options: { pin?: number } = {}): Promise<{ sim: MeshCoreSim; radio: MockRadio; bridge: BleSimBridge; address: string; stop(): Promise<void> }> {
  // A build with 8 channel slots (MAX_GROUP_CHANNELS is a build option; the simulator's default build has 40): the
  // handshake reads every slot, each a GATT write and a notification through the D-Bus mock, and 32 fewer per case
  // cut a fifth of this file's CPU. The 40-slot handshake stays covered over TCP (meshcore-gateway.test.ts).
  const sim = await startMeshCoreSim({ tcpPort: 0, nodes: NODES, radio: RADIO, nodeName: 'Roof', device: { maxChannels: 8 } });
  const address = nextAddress();
  const radio = await mock.addRadio({ address, name: `MeshCore-Roof${seq}`, profile: 'meshcore', pin: options.pin ?? 123456 });
  const bridge = new BleSimBridge(radio, { port: sim.tcpPort! });
  await bridge.start();
  // Over BLE the radio is out of reach while the simulator is "down" (unplugged, rebooting), and line garbage is a
  // notification that cannot be a frame (a code byte no firmware sends).
  const wrapped: MeshCoreSim = {
    ...sim,
    async disconnect(o) {
      const down = sim.disconnect(o);
      // The simulator's side is down first, so no answer can reach the host any more; the BLE link itself drops a
      // moment later, once the GATT write in flight has had its reply (the simulator runs in this process: under
      // load its air timers can fire before the D-Bus reply to the write is read, and the drop would then also
      // fail the write — a different fault from the one a test asks for).
      await new Promise((r) => setTimeout(r, 50));
      await radio.setInRange(false);
      await down;
      await radio.setInRange(true);
    },
    async reboot(o) {
      const down = sim.reboot(o);
      await radio.setInRange(false);
      await down;
      await radio.setInRange(true);
    },
    injectGarbage(bytes) {
      const v = new Uint8Array(bytes.length + 1);
      v[0] = 0x7f;
      v.set(bytes, 1);
      void radio.notify('tx', v);
    },
  };
  return {
    sim: wrapped, radio, bridge, address,
    async stop() {
      bridge.stop();
      radio.dispose();
      await sim.stop();
    },
  };
}

const opts = (extra: Record<string, unknown> = {}) => ({ ble: { busAddress: mock.address, scanTimeoutMs: 5000, connectTimeoutMs: 10_000, ...extra } });

meshCoreGatewaySuite('meshcore gateway over BLE', async () => {
  const t = await bleTarget();
  return { sim: t.sim, open: meshCoreOpener(`ble:${t.address}`, opts()), stop: () => t.stop() };
}).run();

const p = suite('meshcore BLE pairing and notifications');

p('pairing: the agent answers the radio\'s passkey; once bonded, reconnects do not pair again', async () => {
  const t = await bleTarget({ pin: 654321 });
  try {
    const open = meshCoreOpener(`ble://MeshCore-Roof${seq}?pin=654321`, opts());
    const a = await open();
    await a.close();
    const b = await open();
    await b.close();
    assert.is(await t.radio.failedPairings(), 0);
    assert.is(await t.radio.deviceCalls('Pair'), 1, 'paired once');
    assert.is(await t.radio.deviceCalls('Connect'), 2);
  } finally {
    await t.stop();
  }
});

p('pairing refused: a wrong PIN gives BlePairingRefusedError and leaves no connection behind', async () => {
  const t = await bleTarget({ pin: 111111 });
  try {
    await meshCoreOpener(`ble:${t.address}`, opts())();
    assert.unreachable('the default PIN 123456 must be refused');
  } catch (err) {
    assert.is((err as Error).name, 'BlePairingRefusedError');
    assert.match((err as Error).message, /PIN/);
    assert.is(await t.radio.failedPairings(), 1);
  }
  try {
    const link = await meshCoreOpener(`ble:${t.address}?pin=111111`, opts())();
    await link.close();
  } finally {
    await t.stop();
  }
});

p('notifications: one frame each, back to back in order; empty and oversize ones dropped and counted; split writes joined', async () => {
  const t = await bleTarget();
  try {
    const link = (await meshCoreOpener(`ble:${t.address}`, opts())()) as BleMeshCoreLink;
    const dec = new MeshCoreFrameDecoder();
    const frames: number[] = [];
    link.onData((c) => {
      for (const f of dec.push(c)) frames.push(f[1]!);
    });
    // A contact-record-sized push train, as the firmware sends during GET_CONTACTS.
    for (let i = 0; i < 20; i++) await t.radio.notify('tx', Uint8Array.of(0x83, i));
    await t.radio.notify('tx', new Uint8Array(0));
    await t.radio.notify('tx', new Uint8Array(177).fill(0x83));
    await t.radio.notify('tx', Uint8Array.of(0x83, 99));
    const t0 = Date.now();
    while (frames.length < 21 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(frames, [...Array.from({ length: 20 }, (_, i) => i), 99]);
    assert.is(link.stats.dropped, 2);
    // The session's frame written one byte at a time is still one RX write.
    const writes: Uint8Array[] = [];
    const off = await t.radio.onWrite('rx', (v) => writes.push(v));
    // Nothing answers while the simulator's TCP client is the bridge's; the write alone is what we check.
    const frame = encodeMeshCoreFrame(Uint8Array.of(0x16, 0x03));
    await Promise.all(Array.from(frame, (b) => link.write(Uint8Array.of(b))));
    const t1 = Date.now();
    while (writes.length < 1 && Date.now() - t1 < 10_000) await new Promise((r) => setTimeout(r, 10));
    off();
    assert.equal(writes.map((w) => [...w]), [[0x16, 0x03]]);
    await link.close();
  } finally {
    await t.stop();
  }
});

p.after(async () => {
  await mock.stop();
});
p.run();
