/**
 * SX126x driver benchmarks on the emulated chip (no hardware):
 * - chip command round trips/s (GetStatus) through the SPI HAL with its BUSY handshake, against raw emulator
 *   transfers in the same run (the floor: what the HAL's BUSY waits cost on top);
 * - the same chip command over the lattice-serial bridge (SLIP+CBOR, simulated bridge firmware) on an in-memory link;
 * - lattice-serial codec: XFER frames encoded+decoded per second;
 * - full TX sequence (packet params … TxDone) per second at time scale 1e-4 (driver overhead, not air time).
 */
import type { BenchRow } from './bench-row.js';
import { LinkBase } from '../drivers/serial/link-base.js';
import { Sx126xChip } from '../drivers/sx126x/chip.js';
import { SerialHal } from '../drivers/sx126x/serial-hal.js';
import { SpiHal } from '../drivers/sx126x/spi-hal.js';
import { EmulatedSx126x } from '../drivers/sx126x/sim/emulated-sx126x.js';
import { createEmulatedRadios } from '../drivers/sx126x/sim/emulated-radios.js';
import { createSimClock } from '../drivers/sx126x/sim/sim-clock.js';
import { encodeMessage, LatticeSerialDecoder, latticeSerialCodec } from '../firmware-protocol/lattice-serial/codec.js';
import { MsgType } from '../firmware-protocol/lattice-serial/messages.js';
import { SimulatedBridgeFirmware } from '../firmware-protocol/lattice-serial/testing/bridge-firmware.js';

class MemoryEnd extends LinkBase {
  readonly description = 'memory';
  isOpen = true;
  peer!: MemoryEnd;
  async write(data: Uint8Array): Promise<void> {
    const copy = Uint8Array.from(data);
    setImmediate(() => this.peer.deliver(copy));
  }
  deliver(d: Uint8Array): void {
    this.emitData(d);
  }
  async close(): Promise<void> {
    this.isOpen = false;
    this.emitClose();
  }
}
function memoryPair(): [MemoryEnd, MemoryEnd] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

async function ready(chip: EmulatedSx126x): Promise<void> {
  while (chip.busy.value === 1) await new Promise((r) => setTimeout(r, 1));
}

export async function benchSpiRoundTrips(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const n = options.quick ? 2_000 : 20_000;
  const chip = new EmulatedSx126x({ name: 'bench', clock: createSimClock() });
  await ready(chip);
  const hal = new SpiHal({ spi: chip.spi, pins: { busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset } });
  const sx = new Sx126xChip(hal);
  await sx.setStandby(0).catch(() => undefined);
  await sx.setStandby(0);
  // Floor: raw transfers, each followed by the same event-loop turn the emulator needs to drop BUSY.
  const tx = Uint8Array.of(0xc0, 0x00);
  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await chip.spi.transfer(tx);
    await new Promise((r) => setImmediate(r));
  }
  const raw = n / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < n; i++) await sx.getStatus();
  const viaHal = n / ((performance.now() - t0) / 1000);
  return [{ name: 'GetStatus round trips via SPI HAL (emulated chip)', value: viaHal, unit: 'cmd/s', baseline: raw, baselineName: 'raw emulator transfer + BUSY drop' }];
}

export async function benchSerialRoundTrips(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const n = options.quick ? 1_000 : 5_000;
  const chip = new EmulatedSx126x({ name: 'bench', clock: createSimClock() });
  await ready(chip);
  const [hostEnd, deviceEnd] = memoryPair();
  const fw = new SimulatedBridgeFirmware({ link: deviceEnd, chip: { spi: chip.spi, busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset } });
  fw.start();
  const spiSx = new Sx126xChip(new SpiHal({ spi: chip.spi, pins: { busy: chip.busy, dio1: chip.dio1, nreset: chip.nreset } }));
  const sx = new Sx126xChip(new SerialHal({ link: hostEnd, codec: latticeSerialCodec }));
  await sx.setStandby(0).catch(() => undefined);
  await sx.setStandby(0);
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await spiSx.getStatus();
  const spi = n / ((performance.now() - t0) / 1000);
  t0 = performance.now();
  for (let i = 0; i < n; i++) await sx.getStatus();
  const serial = n / ((performance.now() - t0) / 1000);
  await fw.stopFirmware();
  await hostEnd.close();
  return [{ name: 'GetStatus round trips via lattice-serial bridge (in-memory link)', value: serial, unit: 'cmd/s', baseline: spi, baselineName: 'SPI HAL, same chip' }];
}

export async function benchCodec(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const n = options.quick ? 20_000 : 200_000;
  const payload = new Uint8Array(257).map((_, i) => i & 0xff); // WriteBuffer of 255 bytes: worst-case escaping mix
  const dec = new LatticeSerialDecoder();
  const t0 = performance.now();
  let got = 0;
  for (let i = 0; i < n; i++) got += dec.push(encodeMessage([MsgType.Xfer, (i % 65535) + 1, payload, 3])).length;
  const rate = got / ((performance.now() - t0) / 1000);
  return [{ name: 'lattice-serial XFER(257 B) encode+decode', value: rate, unit: 'frames/s' }];
}

export async function benchTxSequence(options: { quick?: boolean } = {}): Promise<BenchRow[]> {
  const n = options.quick ? 50 : 300;
  const sim = createEmulatedRadios({ nodes: ['a'], timeScale: 1e-4 });
  const [a] = sim.radios;
  await a!.configure({ frequencyHz: 869_462_500, spreadingFactor: 7, bandwidthHz: 500_000, codingRate: 5, preambleLength: 8, syncWord: 0x24, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 14 });
  const payload = new Uint8Array(32).fill(7);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await a!.transmit(payload);
  const rate = n / ((performance.now() - t0) / 1000);
  await sim.close();
  return [{ name: 'transmit() sequences (11 SPI commands + TxDone IRQ, air time scaled to ~0)', value: rate, unit: 'tx/s' }];
}
