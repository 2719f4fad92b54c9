/**
 * Pin maps of the SX126x HATs meshtasticd ships configs for, BCM numbering, as data, so `board: NAME` is all an
 * operator writes. Source of every number: meshtastic/firmware:bin/config.d/<file>.yaml at v2.7.26 (named per
 * board as `source`) and meshtastic/firmware:bin/config-dist.yaml. meshtasticd's keys map as: CS → `csGpio` (a
 * plain GPIO; CS 8/7 are spidev0.0/0.1's own CE0/CE1 and need nothing), IRQ → `dio1`, Busy, Reset, RXen/TXen,
 * Enable_Pins and SX126X_ANT_SW → `holdHigh`, DIO2_AS_RF_SWITCH → `dio2RfSwitch`, DIO3_TCXO_VOLTAGE: true → 1.8 V
 * (meshtastic/firmware:src/platform/portduino/PortduinoGlue.cpp), SX126X_MAX_POWER → `maxPowerDbm`, spidev → `spi`.
 */
import type { Sx126xVariant } from './variant.js';

export interface BoardPins {
  description: string;
  variant: Sx126xVariant;
  spi: { bus: number; device: number };
  /** Chip select on a plain GPIO instead of CE0/CE1: driven around each transfer with SPI_NO_CS, or — on a Pi 5,
   * whose SPI driver refuses SPI_NO_CS — moved into the SPI controller by `dtoverlay=spi0-1cs,cs0_pin=N`, which
   * the radio detects (drivers/sx126x/open-linux-radio.ts). */
  csGpio?: number;
  busy: number;
  dio1: number;
  reset: number;
  rxen?: number;
  txen?: number;
  /** Lines to hold high while the radio is in use (antenna-switch or module power enables). */
  holdHigh?: number[];
  dio2RfSwitch: boolean;
  /** TCXO voltage on DIO3, or undefined for a crystal. */
  tcxoVoltage?: number;
  /** Highest SX126x output the board's amplifier takes (meshtasticd SX126X_MAX_POWER), dBm at the chip. */
  maxPowerDbm?: number;
  /** The meshtasticd config the numbers come from. */
  source?: string;
}

const CONFIG_D = 'meshtastic/firmware:bin/config.d';

export const Boards = {
  /** Waveshare SX126X XXXM LoRaWAN HAT (Core1262): CS on BCM 21 (not CE0), ANT_SW on BCM 6 driven high. TCXO:
   * config-dist's "the Waveshare Core1262 and others are known to need this setting". */
  'waveshare-core1262-hat': {
    description: 'Waveshare SX1262 LoRaWAN HAT (Core1262-HF/LF)',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, csGpio: 21, busy: 20, dio1: 16, reset: 18, holdHigh: [6],
    dio2RfSwitch: true, tcxoVoltage: 1.8, source: `${CONFIG_D}/lora-waveshare-sxxx.yaml`,
  },
  /** MeshAdv-Mini with an Ebyte E22-900M22S: CS 8 = CE0, RXEN on BCM 12, TXEN by DIO2. */
  'ebyte-e22-900m22s-meshadv-mini': {
    description: 'MeshAdv-Mini Pi HAT, Ebyte E22-900M22S',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, busy: 20, dio1: 16, reset: 24, rxen: 12,
    dio2RfSwitch: true, tcxoVoltage: 1.8, source: `${CONFIG_D}/lora-MeshAdv-Mini-900M22S.yaml`,
  },
  /** Ebyte E22-400M22S (SX1268) on the same carrier wiring. */
  'ebyte-e22-400m22s-meshadv-mini': {
    description: 'MeshAdv-Mini Pi HAT, Ebyte E22-400M22S (SX1268)',
    variant: 'sx1268', spi: { bus: 0, device: 0 }, busy: 20, dio1: 16, reset: 24, rxen: 12,
    dio2RfSwitch: true, tcxoVoltage: 1.8, source: `${CONFIG_D}/lora-MeshAdv-Mini-900M22S.yaml`,
  },
  /** MeshAdv-Pi HAT with an Ebyte E22-900M30S (1 W): CS on BCM 21, the module's RXEN and TXEN both on GPIOs, so
   * DIO2 does not switch the antenna. For the E22-900M33S the config says to limit the chip to 8 dBm. */
  'meshadv-pi-e22-900m30s': {
    description: 'MeshAdv-Pi HAT, Ebyte E22-900M30S (1 W)',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, csGpio: 21, busy: 20, dio1: 16, reset: 18, rxen: 12, txen: 13,
    dio2RfSwitch: false, tcxoVoltage: 1.8, source: `${CONFIG_D}/lora-MeshAdv-900M30S.yaml`,
  },
  /** A bare Ebyte E22-400M33S (SX1268, 2 W) wired as config-dist's SX1268 block: CS 21, TXEN 6, RXEN 12. */
  'ebyte-e22-400m33s': {
    description: 'Ebyte E22-400M33S (SX1268) with RXEN/TXEN on GPIOs',
    variant: 'sx1268', spi: { bus: 0, device: 0 }, csGpio: 21, busy: 20, dio1: 16, reset: 18, rxen: 12, txen: 6,
    dio2RfSwitch: false, tcxoVoltage: 1.8, source: 'meshtastic/firmware:bin/config-dist.yaml',
  },
  /** RAK6421 Pi HAT with a RAK13300 in slot 1: spidev0.0 (CE0), IO2/IO3 (BCM 12, 13) powered as Enable_Pins. */
  'rak6421-rak13300-slot1': {
    description: 'RAK6421 WisBlock Pi HAT, RAK13300 (SX1262) in slot 1',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, busy: 24, dio1: 22, reset: 16, holdHigh: [12, 13],
    dio2RfSwitch: true, tcxoVoltage: 1.8, source: `${CONFIG_D}/lora-RAK6421-13300-slot1.yaml`,
  },
  'rak6421-rak13300-slot2': {
    description: 'RAK6421 WisBlock Pi HAT, RAK13300 (SX1262) in slot 2',
    variant: 'sx1262', spi: { bus: 0, device: 1 }, busy: 19, dio1: 18, reset: 24, holdHigh: [26, 23],
    dio2RfSwitch: true, tcxoVoltage: 1.8, source: `${CONFIG_D}/lora-RAK6421-13300-slot2.yaml`,
  },
  /** RAK13302 (SX1262 + 1 W amplifier, TX_GAIN_LORA 8..12 dB): same wiring as the RAK13300. */
  'rak6421-rak13302-slot1': {
    description: 'RAK6421 WisBlock Pi HAT, RAK13302 (SX1262, 1 W) in slot 1',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, busy: 24, dio1: 22, reset: 16, holdHigh: [12, 13],
    dio2RfSwitch: true, tcxoVoltage: 1.8, source: `${CONFIG_D}/lora-RAK6421-13302-slot1.yaml`,
  },
  'rak6421-rak13302-slot2': {
    description: 'RAK6421 WisBlock Pi HAT, RAK13302 (SX1262, 1 W) in slot 2',
    variant: 'sx1262', spi: { bus: 0, device: 1 }, busy: 19, dio1: 18, reset: 24, holdHigh: [26, 23],
    dio2RfSwitch: true, tcxoVoltage: 1.8, source: `${CONFIG_D}/lora-RAK6421-13302-slot2.yaml`,
  },
  /** ZebraHat 1 W: CS on BCM 24; the chip limited to 18 dBm ahead of the amplifier. */
  'zebrahat-1w': {
    description: 'ZebraHat SX1262 Pi HAT, 1 W',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, csGpio: 24, busy: 27, dio1: 22, reset: 17,
    dio2RfSwitch: true, tcxoVoltage: 1.8, maxPowerDbm: 18, source: `${CONFIG_D}/lora-ZebraHat_1W.yaml`,
  },
  'zebrahat-2w': {
    description: 'ZebraHat SX1262 Pi HAT, 2 W',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, csGpio: 24, busy: 27, dio1: 22, reset: 17, rxen: 25,
    dio2RfSwitch: true, tcxoVoltage: 1.8, maxPowerDbm: 8, source: `${CONFIG_D}/lora-ZebraHat_2W.yaml`,
  },
  /** NebraHat: CE0 (the config's `CS: 8` is commented out as not needed), RXEN on BCM 25. */
  'nebrahat-1w': {
    description: 'NebraHat SX1262 Pi HAT, 1 W',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, busy: 4, dio1: 22, reset: 18, rxen: 25,
    dio2RfSwitch: true, tcxoVoltage: 1.8, source: `${CONFIG_D}/lora-NebraHat_1W.yaml`,
  },
  'nebrahat-2w': {
    description: 'NebraHat SX1262 Pi HAT, 2 W',
    variant: 'sx1262', spi: { bus: 0, device: 0 }, busy: 4, dio1: 22, reset: 18, rxen: 25,
    dio2RfSwitch: true, tcxoVoltage: 1.8, maxPowerDbm: 8, source: `${CONFIG_D}/lora-NebraHat_2W.yaml`,
  },
} as const satisfies Record<string, BoardPins>;

export type BoardName = keyof typeof Boards;

/** Boards meshtasticd supports that this relay cannot drive yet, with why: named in config, they are refused with
 * this reason instead of "unknown board". */
export const UnsupportedBoards: Record<string, { description: string; reason: string; source: string }> = {
  'meshtoad-e22-usb': {
    description: 'Meshtoad USB radio (Ebyte E22 behind a CH341 USB-to-SPI bridge)',
    reason: 'its SPI and GPIO go through a CH341 USB bridge (USB 1a86:5512), which meshtasticd drives with libch341 over libusb; this relay speaks only to kernel spidev and GPIO devices, and Linux has no spidev driver for the CH341 in SPI mode. Not supported yet: use a Pi HAT, or run the Meshtoad on meshtasticd and bridge to it with a `meshtastic:` bearer over TCP',
    source: `${CONFIG_D}/lora-usb-meshtoad-e22.yaml`,
  },
};
