/**
 * The SX126x driver over the lattice-serial bridge, through a real PTY pair (socat): host side = SerialHal +
 * Sx126xRadio, device side = the simulated bridge firmware wrapping an emulated SX126x on the simulated air, next to
 * a radio on the plain SPI HAL. Shows the serial path carries the same chip byte stream (golden trace) and behaves
 * the same (TX, RX with IRQ events, stuck BUSY recovery), plus version mismatch and line noise.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openSerialLink, type SerialLink } from '../drivers/serial/serial-link.js';
import { TracingSpiDevice } from '../drivers/hal/tracing-spi-device.js';
import { SerialHal } from '../drivers/sx126x/serial-hal.js';
import { SpiHal } from '../drivers/sx126x/spi-hal.js';
import { Sx126xRadio } from '../drivers/sx126x/sx126x-radio.js';
import type { RxPacket } from '../drivers/sx126x/lora-radio.js';
import { EmulatedSx126x } from '../drivers/sx126x/sim/emulated-sx126x.js';
import { compareTrace, GOLDEN_INIT, GOLDEN_MODULATION } from '../drivers/sx126x/testing/golden-traces.js';
import { createSimClock } from '../drivers/sx126x/sim/sim-clock.js';
import { SimulatedAir } from '../drivers/sx126x/sim/simulated-air.js';
import { latticeSerialCodec } from '../firmware-protocol/lattice-serial/codec.js';
import { SimulatedBridgeFirmware } from '../firmware-protocol/lattice-serial/testing/bridge-firmware.js';
import { openPtyPair, type PtyPair } from '../firmware-protocol/meshtastic/sim/pty-pair.js';
import { registerLoraRadioSuite } from '../drivers/sx126x/testing/lora-radio-suite.js';

interface Rig {
  pty: PtyPair;
  hostLink: SerialLink;
  deviceLink: SerialLink;
  firmware: SimulatedBridgeFirmware;
  bridged: Sx126xRadio;
  bridgedChip: EmulatedSx126x;
  chipTrace: TracingSpiDevice;
  local: Sx126xRadio;
  localChip: EmulatedSx126x;
  hal: SerialHal;
  close(): Promise<void>;
}

async function rig(opts: { protocolVersion?: number; busyTimeoutMs?: number } = {}): Promise<Rig> {
  const clock = createSimClock({ timeScale: 0.05 });
  const air = new SimulatedAir({ clock });
  const bridgedChip = new EmulatedSx126x({ name: 'bridged', clock });
  const localChip = new EmulatedSx126x({ name: 'local', clock });
  air.attach(bridgedChip, { x: 0, y: 0 });
  air.attach(localChip, { x: 100, y: 0 });
  const pty = await openPtyPair({ signal: AbortSignal.timeout(20_000) });
  const deviceLink = await openSerialLink({ path: pty.devicePath });
  const hostLink = await openSerialLink({ path: pty.hostPath });
  const chipTrace = new TracingSpiDevice(bridgedChip.spi);
  const firmware = new SimulatedBridgeFirmware({
    link: deviceLink,
    chip: { spi: chipTrace, busy: bridgedChip.busy, dio1: bridgedChip.dio1, nreset: bridgedChip.nreset },
    busyTimeoutMs: opts.busyTimeoutMs,
    protocolVersion: opts.protocolVersion,
  });
  firmware.start();
  const hal = new SerialHal({ link: hostLink, codec: latticeSerialCodec, busyTimeoutMs: opts.busyTimeoutMs, requestTimeoutMs: 5000 });
  const bridged = new Sx126xRadio({ hal, wiring: 'bridge SPI and the bridge MCU' });
  const local = new Sx126xRadio({ hal: new SpiHal({ spi: localChip.spi, pins: { busy: localChip.busy, dio1: localChip.dio1, nreset: localChip.nreset } }) });
  return {
    pty, hostLink, deviceLink, firmware, bridged, bridgedChip, chipTrace, local, localChip, hal,
    async close() {
      await bridged.close().catch(() => undefined);
      await local.close().catch(() => undefined);
      await firmware.stopFirmware();
      await deviceLink.close().catch(() => undefined);
      await hostLink.close().catch(() => undefined);
      await pty.close();
    },
  };
}

const nextPacket = (r: Sx126xRadio, ms = 10_000) =>
  new Promise<RxPacket>((resolve, reject) => {
    const t = setTimeout(() => { off(); reject(new Error('no packet within timeout')); }, ms);
    const off = r.onPacket((p) => { clearTimeout(t); off(); resolve(p); });
  });

test('init over the serial bridge produces the golden SPI byte stream at the chip', async () => {
  const r = await rig();
  try {
    await r.bridged.start();
    assert.equal(compareTrace(r.chipTrace.trace, GOLDEN_INIT), []);
    assert.equal(r.bridgedChip.violations, []);
    assert.match(r.hal.bridgeName, /lattice-bridge-sim/);
  } finally {
    await r.close();
  }
});

test('TX from the bridged radio and RX on it (IRQ events over serial)', async () => {
  const r = await rig();
  try {
    await r.bridged.configure(GOLDEN_MODULATION);
    await r.local.configure(GOLDEN_MODULATION);
    await r.local.startReceive();
    const atLocal = nextPacket(r.local);
    await r.bridged.transmit(new TextEncoder().encode('over serial'));
    assert.is(new TextDecoder().decode((await atLocal).payload), 'over serial');

    await r.bridged.startReceive();
    const atBridged = nextPacket(r.bridged);
    await r.local.transmit(new TextEncoder().encode('back again'));
    const p = await atBridged;
    assert.is(new TextDecoder().decode(p.payload), 'back again');
    assert.is(p.crcError, false);
    assert.equal(r.bridgedChip.violations, []);
  } finally {
    await r.close();
  }
});

test('stuck BUSY behind the bridge: BUSY_TIMEOUT error, reset over serial, recovered', async () => {
  const r = await rig({ busyTimeoutMs: 200 });
  try {
    await r.bridged.configure(GOLDEN_MODULATION);
    r.bridgedChip.faults.stuckBusy = true;
    const err = await r.bridged.transmit(Uint8Array.of(1)).then(() => undefined, (e: Error) => e);
    assert.is(err?.name, 'Sx126xBusyTimeoutError');
    assert.is((err as { recovered?: boolean }).recovered, true);
    await r.local.configure(GOLDEN_MODULATION);
    await r.local.startReceive();
    const atLocal = nextPacket(r.local);
    await r.bridged.transmit(Uint8Array.of(2));
    assert.equal(Array.from((await atLocal).payload), [2]);
  } finally {
    await r.close();
  }
});

test('a bridge speaking another protocol version is refused with Sx126xBridgeVersionError', async () => {
  const r = await rig({ protocolVersion: 2 });
  try {
    const err = await r.bridged.start().then(() => undefined, (e: Error) => e);
    assert.is(err?.name, 'Sx126xBridgeVersionError');
  } finally {
    await r.close();
  }
});

test('line noise from the bridge is counted and does not break the session', async () => {
  const r = await rig();
  try {
    await r.deviceLink.write(Uint8Array.of(0x00, 0x11, 0xc0, 0xdb, 0x05, 0xc0, 0xff, 0xc0));
    await r.bridged.start();
    await new Promise((res) => setTimeout(res, 50));
    assert.ok(r.hal.invalidFrames >= 1, `invalid frames ${r.hal.invalidFrames}`);
  } finally {
    await r.close();
  }
});

// The LoraRadio contract suite with the radio behind the bridge (peer on plain SPI, same air).
registerLoraRadioSuite(test, {
  modulation: GOLDEN_MODULATION,
  transmit: true,
  async open() {
    const r = await rig();
    return { radio: r.bridged, peer: r.local, close: () => r.close() };
  },
});

test.run();
