/**
 * Golden SPI traces (MOSI, one line per NSS-low transaction) for the init, TX and RX sequences, written by hand from
 * DS.SX1261-2 §14.2/§14.3 (basic TX/RX operation order), §15 (errata), and RadioLib SX126x::begin/config/stageMode/
 * readData — not captured from our own driver. The scenario: SX1262 on a crystal board, DIO2 RF switch, DC-DC,
 * 868.1 MHz, SF9, BW125, CR 4/7, preamble 8, private sync word 0x12, CRC on, standard IQ, explicit header, +14 dBm.
 * Register read-modify-writes depend on what the chip returns; `rmw` entries state the rule the written byte obeys.
 * Deliberate differences from RadioLib's own stream: no wake-up NOP before SetStandby (RadioLib standby(mode, true);
 * this driver never puts the chip to sleep), SetCadParams sent in configure with the configured SF instead of in
 * config() with a placeholder SF, OCP written as 140 mA after SetPaConfig (LoRaMac-node) instead of RadioLib's 60 mA
 * default, and a GetStatus after Calibrate/CalibrateImage/SetTx/SetRx so their failures are attributed to them.
 */
import type { LoraModulation } from '../lora-radio.js';

export const GOLDEN_MODULATION: LoraModulation = {
  frequencyHz: 868_100_000, spreadingFactor: 9, bandwidthHz: 125_000, codingRate: 7, preambleLength: 8,
  syncWord: 0x12, crcOn: true, invertIq: false, explicitHeader: true, txPowerDbm: 14,
};

/** A transaction: exact MOSI hex, or a register write whose data byte is (value read before & keep) | set. */
export type GoldenStep = string | { rmw: number; keep: number; set: number };

const VERSION_READ = `1d 03 20 00 ${Array(16).fill('00').join(' ')}`;

export const GOLDEN_INIT: GoldenStep[] = [
  '80 00', // SetStandby(STDBY_RC): refused once right after reset (RadioLib reset() retries every 10 ms)
  '80 00', // SetStandby(STDBY_RC) again
  'c0 00', // GetStatus: checks the standby
  VERSION_READ, // ReadRegister 0x0320, 16 bytes: "SX1261 V2D 2D02" (RadioLib findChip)
  '8f 00 00', // SetBufferBaseAddress(0, 0)
  '8a 01', // SetPacketType(LoRa)
  '93 20', // SetRxTxFallbackMode(STDBY_RC)
  '02 43 ff', // ClearIrqStatus(all)
  '08 00 00 00 00 00 00 00 00', // SetDioIrqParams(none)
  '89 7f', // Calibrate(all)
  'c0 00', // GetStatus: calibration result
  '96 01', // SetRegulatorMode(DC-DC)
  '1d 08 d8 00 00', // ReadRegister TxClampConfig (errata §15.2)
  { rmw: 0x08d8, keep: 0xff, set: 0x1e }, // WriteRegister 0x08D8 |= 0x1E
  '9d 01', // SetDIO2AsRfSwitchCtrl(on)
];

/**
 * Init for other board options: a TCXO board inserts ClearDeviceErrors and SetDIO3AsTCXOCtrl(voltage code, 5 ms =
 * 320 × 15.625 µs) after the version check (RadioLib SX126x::setTCXO); RXEN/TXEN boards omit SetDIO2AsRfSwitchCtrl.
 * A chip that accepts the first SetStandby right away (real boards often do) has one '80 00' fewer.
 */
export function goldenInit(opts: { tcxoVoltageCode?: number; dio2RfSwitch?: boolean; firstStandbyAccepted?: boolean } = {}): GoldenStep[] {
  const steps = [...GOLDEN_INIT];
  if (opts.firstStandbyAccepted) steps.splice(0, 1);
  if (opts.tcxoVoltageCode !== undefined) {
    const at = steps.indexOf(VERSION_READ) + 1;
    steps.splice(at, 0, '07 00 00', `97 ${opts.tcxoVoltageCode.toString(16).padStart(2, '0')} 00 01 40`);
  }
  if (opts.dio2RfSwitch === false) steps.splice(steps.indexOf('9d 01'), 1);
  return steps;
}

export const GOLDEN_CONFIGURE: GoldenStep[] = [
  '80 00', // SetStandby(STDBY_RC)
  '98 d7 db', // CalibrateImage(863–870 MHz)
  'c0 00', // GetStatus
  '86 36 41 99 9a', // SetRfFrequency(868.1 MHz)
  '95 01 04 00 01', // SetPaConfig(+14 dBm row of RadioLib's SX1262 table: duty 1, hpMax 4, HP PA, paLut 1)
  '0d 08 e7 38', // WriteRegister OCP = 140 mA
  '8e 14 04', // SetTxParams(the row's paVal 20, 200 µs): +14 dBm out (SX1262::setOutputPower, optimize)
  '8b 09 04 03 00', // SetModulationParams(SF9, BW125, CR4/7, LDRO off)
  '1d 07 36 00 00', // ReadRegister IqPolarity (errata §15.4)
  { rmw: 0x0736, keep: 0xff, set: 0x04 }, // standard IQ: bit 2 set
  '8c 00 08 00 ff 01 00', // SetPacketParams(preamble 8, explicit, 255, CRC on, IQ standard)
  '0d 07 40 14 24', // WriteRegister sync word 0x1424
  '88 03 16 0a 00 00 00 00', // SetCadParams(8 symbols, SF+13, 10, STDBY, 0)
];

/** Transmit of "hi" (0x68 0x69). */
/**
 * Transmit with listen before talk (the default): the CAD of RadioLib's startChannelScan with the parameters its
 * setCad() sets for SF9 (4 symbols, detPeak 9 + 13 = 22, detMin 10, exit to standby), then RadioLib's transmit:
 * standby before anything touches the buffer.
 */
export const GOLDEN_TX: GoldenStep[] = [
  '80 00', // SetStandby(STDBY_RC) before CAD
  '08 01 80 01 80 00 00 00 00', // SetDioIrqParams(CadDone|CadDetected on DIO1)
  '02 43 ff', // ClearIrqStatus(all)
  '88 02 16 0a 00 00 00 00', // SetCadParams(4 symbols, detPeak 22, detMin 10, standby, no timeout)
  'c5', // SetCad
  'c0 00', // GetStatus: SetCad accepted
  '12 00 00 00', // GetIrqStatus after DIO1: CadDone
  '02 43 ff', // ClearIrqStatus(all)
  '80 00', // SetStandby(STDBY_RC) before the buffer (RadioLib SX126x::transmit)
  '8c 00 08 00 02 01 00', // SetPacketParams(payload length 2)
  '08 02 01 00 01 00 00 00 00', // SetDioIrqParams(TxDone|Timeout, DIO1 TxDone)
  '0e 00 68 69', // WriteBuffer(0, "hi")
  '02 43 ff', // ClearIrqStatus(all)
  '1d 08 89 00 00', // ReadRegister TxModulation (errata §15.1)
  { rmw: 0x0889, keep: 0xff, set: 0x04 }, // not BW500: bit 2 set
  '83 00 00 00', // SetTx(no timeout)
  'c0 00', // GetStatus: SetTx accepted
  '12 00 00 00', // GetIrqStatus after DIO1
  '02 43 ff', // ClearIrqStatus(all)
  '80 00', // SetStandby(STDBY_RC)
];

export const GOLDEN_RX_START: GoldenStep[] = [
  '80 00', // SetStandby(STDBY_RC)
  '08 02 76 00 02 00 00 00 00', // SetDioIrqParams(RxDone|Timeout|CrcErr|HeaderValid|HeaderErr|PreambleDetected, DIO1 RxDone)
  '02 43 ff', // ClearIrqStatus(all)
  '8c 00 08 00 ff 01 00', // SetPacketParams(max length 255)
  '82 ff ff ff', // SetRx(continuous)
  'c0 00', // GetStatus
];

/** Servicing one received packet of n bytes at buffer offset 0 (RadioLib readData). */
export function goldenRxPacket(n: number): GoldenStep[] {
  return [
    '12 00 00 00', // GetIrqStatus
    '13 00 00 00', // GetRxBufferStatus
    `1e 00 00${' 00'.repeat(n)}`, // ReadBuffer(offset 0, n)
    '14 00 00 00 00', // GetPacketStatus
    '02 43 ff', // ClearIrqStatus(all)
  ];
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** Compare a recorded trace with golden steps; returns mismatch descriptions (empty = equal). */
export function compareTrace(trace: ReadonlyArray<{ mosi: Uint8Array; miso: Uint8Array }>, golden: GoldenStep[]): string[] {
  const problems: string[] = [];
  const lastRead = new Map<number, number>();
  const n = Math.max(trace.length, golden.length);
  for (let i = 0; i < n; i++) {
    const t = trace[i];
    const g = golden[i];
    if (!t || g === undefined) {
      problems.push(`#${i}: ${t ? `extra transaction ${hex(t.mosi)}` : `missing ${typeof g === 'string' ? g : `rmw 0x${g!.rmw.toString(16)}`}`}`);
      continue;
    }
    const mosi = hex(t.mosi);
    if (t.mosi[0] === 0x1d && t.mosi.length === 5) lastRead.set((t.mosi[1]! << 8) | t.mosi[2]!, t.miso[4]!);
    if (typeof g === 'string') {
      if (mosi !== g) problems.push(`#${i}: got ${mosi}, want ${g}`);
    } else {
      const before = lastRead.get(g.rmw);
      const want = before === undefined ? undefined : (before & g.keep) | g.set;
      const wantHex = want === undefined ? '??' : want.toString(16).padStart(2, '0');
      const expect = `0d ${(g.rmw >> 8).toString(16).padStart(2, '0')} ${(g.rmw & 0xff).toString(16).padStart(2, '0')} ${wantHex}`;
      if (mosi !== expect) problems.push(`#${i}: got ${mosi}, want ${expect}`);
    }
  }
  return problems;
}
