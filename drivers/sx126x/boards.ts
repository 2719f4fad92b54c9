/**
 * Pin maps for common SX126x boards on a Raspberry Pi, BCM numbering, as data. Source:
 * meshtastic/firmware:bin/config-dist.yaml and meshtastic/firmware:bin/config.d/*.yaml. Pin numbers are BCM, not sysfs.
 */
import type { Sx126xVariant } from './variant.js';

export interface BoardPins {
  description: string;
  variant: Sx126xVariant;
  spi: { bus: number; device: number };
  /** Chip select on a plain GPIO instead of CE0/CE1 (driven around each transfer; or remap with dtoverlay spi0-1cs). */
  csGpio?: number;
  busy: number;
  dio1: number;
  reset: number;
  rxen?: number;
  txen?: number;
  /** Lines to hold high while the radio is in use (e.g. an antenna switch enable). */
  holdHigh?: number[];
  dio2RfSwitch: boolean;
  /** TCXO voltage on DIO3, or undefined for a crystal. */
  tcxoVoltage?: number;
}

export const Boards = {
  /** Waveshare SX126X XXXM LoRaWAN HAT (Core1262): CS on BCM 21 (not CE0), ANT_SW on BCM 6 driven high. */
  'waveshare-core1262-hat': {
    description: 'Waveshare SX1262 LoRaWAN HAT (Core1262-HF/LF)',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, csGpio: 21, busy: 20, dio1: 16, reset: 18, holdHigh: [6],
    dio2RfSwitch: true, tcxoVoltage: 1.8,
  },
  /** MeshAdv-Mini with an Ebyte E22-900M22S: RXEN on BCM 12, TCXO 1.8 V (meshtastic DIO3_TCXO_VOLTAGE: true). */
  'ebyte-e22-900m22s-meshadv-mini': {
    description: 'MeshAdv-Mini Pi HAT, Ebyte E22-900M22S',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, busy: 20, dio1: 16, reset: 24, rxen: 12,
    dio2RfSwitch: true, tcxoVoltage: 1.8,
  },
  /** Ebyte E22-400M22S (SX1268) on the same carrier wiring. */
  'ebyte-e22-400m22s-meshadv-mini': {
    description: 'MeshAdv-Mini Pi HAT, Ebyte E22-400M22S (SX1268)',
    variant: 'sx1268', spi: { bus: 0, device: 0 }, busy: 20, dio1: 16, reset: 24, rxen: 12,
    dio2RfSwitch: true, tcxoVoltage: 1.8,
  },
  /** RAK6421 Pi HAT with a RAK13300 in slot 1. */
  'rak6421-rak13300-slot1': {
    description: 'RAK6421 WisBlock Pi HAT, RAK13300 (SX1262) in slot 1',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, busy: 24, dio1: 22, reset: 16,
    dio2RfSwitch: true, tcxoVoltage: 1.8,
  },
} as const satisfies Record<string, BoardPins>;

export type BoardName = keyof typeof Boards;
