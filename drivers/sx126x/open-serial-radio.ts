/**
 * Open an SX126x behind a lattice-serial bridge MCU: a ByteLink (drivers/serial/serial-link.ts openSerialLink, or a
 * TCP link) plus the codec from firmware-protocol/lattice-serial (injected by the runtime: drivers/ may not import it).
 */
import type { ByteLink } from '../serial/byte-link.js';
import { SerialHal, type BridgeCodec } from './serial-hal.js';
import { Sx126xRadio } from './sx126x-radio.js';
import type { Sx126xVariant } from './variant.js';

export interface SerialRadioOptions {
  link: ByteLink;
  codec: BridgeCodec;
  variant?: Sx126xVariant;
  tcxoVoltage?: number;
  dio2RfSwitch?: boolean;
  busyTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export function openSerialSx126x(opts: SerialRadioOptions): { radio: Sx126xRadio; hal: SerialHal } {
  const hal = new SerialHal({ link: opts.link, codec: opts.codec, busyTimeoutMs: opts.busyTimeoutMs, requestTimeoutMs: opts.requestTimeoutMs });
  const radio = new Sx126xRadio({
    hal, variant: opts.variant, tcxoVoltage: opts.tcxoVoltage, dio2RfSwitch: opts.dio2RfSwitch,
    wiring: `the bridge MCU on ${opts.link.description} (its SPI, BUSY, DIO1 and NRESET wiring to the radio)`,
  });
  return { radio, hal };
}
