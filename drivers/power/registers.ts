/**
 * Register maps of the TI power monitors, data only, names as the datasheets give them:
 * - INA219: SBOS448G (Aug 2008, rev. Dec 2015) §8.6 Register Maps, Table 2 (summary), Figure 19 (configuration).
 * - INA226: SBOS547 (June 2011; rev. B Sept 2024) §7.6, Table 7-1 (summary), configuration and Mask/Enable tables.
 * - INA260: SBOS656C (July 2016, rev. Dec 2016) §8.6.1–8.6.8.
 * - INA3221: SBOS576C §7.6 Register Maps.
 * All registers are 16 bits, sent MSB first (each datasheet's "Writing to and reading from" section).
 */

/** Every chip of the family answers at 1000xxx: 0x40 with its address pins to GND. */
export const DEFAULT_ADDRESS = 0x40;

/** INA219, SBOS448G §8.6.1 Table 2. No manufacturer or die ID register: the map ends at 05h. */
export const Ina219 = {
  /** A0/A1 each to GND, VS, SDA or SCL: 16 addresses 0x40–0x4F (SBOS448G §8.5.5.1). */
  addresses: [0x40, 0x4f] as const,
  reg: { CONFIG: 0x00, SHUNT_VOLTAGE: 0x01, BUS_VOLTAGE: 0x02, POWER: 0x03, CURRENT: 0x04, CALIBRATION: 0x05 },
  /** Configuration power-on value 399Fh: 32 V range, PGA /8, 12-bit shunt and bus, shunt+bus continuous. */
  CONFIG_RESET: 0x399f,
  config: {
    RST: 1 << 15,
    /** BRNG: 0 = 16 V, 1 = 32 V full-scale bus range. */
    BRNG_32V: 1 << 13,
    PG_SHIFT: 11,
    BADC_SHIFT: 7,
    SADC_SHIFT: 3,
    MODE_MASK: 0b111,
  },
  /** PGA gain PG1:PG0 → shunt full-scale volts (SBOS448G Table 4): /1 40 mV, /2 80 mV, /4 160 mV, /8 320 mV. */
  PGA_FULL_SCALE_V: [0.04, 0.08, 0.16, 0.32] as const,
  /** Shunt voltage register LSB 10 µV whatever the PGA (§8.6.3.1). */
  SHUNT_LSB_V: 10e-6,
  /** Bus voltage BD12:BD0 in bits 15:3, LSB 4 mV; CNVR bit 1, OVF bit 0 (§8.6.3.2). */
  BUS_LSB_V: 0.004,
  BUS_CNVR: 1 << 1,
  BUS_OVF: 1 << 0,
  /** Cal = trunc(0.04096 / (Current_LSB × RSHUNT)) (§8.5.1 Equation 1); bit 0 (FS0) is void, reads 0. */
  CAL_SCALE: 0.04096,
  CAL_WRITE_MASK: 0xfffe,
  /** Current = Shunt × Cal / 4096; Power = Current × Bus / 5000; Power_LSB = 20 × Current_LSB (§8.5.1 Eq. 3–5). */
  CURRENT_DIVISOR: 4096,
  POWER_DIVISOR: 5000,
  POWER_LSB_RATIO: 20,
} as const;

/**
 * BADC/SADC codes of the INA219 → conversion time (µs) and samples averaged (SBOS448G Table 5 "ADC Settings";
 * 9/10/11-bit codes 0X00/0X01/0X10 also match with bit 10/6 set to 0). The 12-bit single-sample code is 0011
 * (1000 is the same), then 1001–1111 average 2–128 12-bit samples.
 */
export const INA219_ADC: ReadonlyArray<{ code: number; bits: number; samples: number; us: number }> = [
  { code: 0b0000, bits: 9, samples: 1, us: 84 },
  { code: 0b0001, bits: 10, samples: 1, us: 148 },
  { code: 0b0010, bits: 11, samples: 1, us: 276 },
  { code: 0b0011, bits: 12, samples: 1, us: 532 },
  { code: 0b1001, bits: 12, samples: 2, us: 1060 },
  { code: 0b1010, bits: 12, samples: 4, us: 2130 },
  { code: 0b1011, bits: 12, samples: 8, us: 4260 },
  { code: 0b1100, bits: 12, samples: 16, us: 8510 },
  { code: 0b1101, bits: 12, samples: 32, us: 17020 },
  { code: 0b1110, bits: 12, samples: 64, us: 34050 },
  { code: 0b1111, bits: 12, samples: 128, us: 68100 },
];

/**
 * AVG field (bits 11:9) → samples averaged, shared by INA226 (SBOS547 Configuration register table), INA260
 * (SBOS656C §8.6.1 Table 6) and INA3221 (SBOS576C §7.6.2.1): 1, 4, 16, 64, 128, 256, 512, 1024.
 */
export const AVERAGES = [1, 4, 16, 64, 128, 256, 512, 1024] as const;
/** VBUSCT (8:6) / VSHCT (5:3) / ISHCT → conversion time in µs, same three datasheets: 140 µs … 8.244 ms. */
export const CONVERSION_US = [140, 204, 332, 588, 1100, 2116, 4156, 8244] as const;

/** Configuration field positions shared by INA226, INA260 and INA3221. */
export const Ina2xxConfig = {
  RST: 1 << 15,
  AVG_SHIFT: 9,
  VBUSCT_SHIFT: 6,
  /** VSHCT on INA226/INA3221, ISHCT on INA260. */
  VSHCT_SHIFT: 3,
  MODE_MASK: 0b111,
  /** MODE 111: shunt (current) and bus voltage, continuous. */
  MODE_CONTINUOUS: 0b111,
} as const;

/** Texas Instruments' manufacturer ID, "TI" in ASCII (INA226/INA260/INA3221 register FEh). */
export const TI_MANUFACTURER_ID = 0x5449;

/** INA226, SBOS547 Table 7-1. */
export const Ina226 = {
  addresses: [0x40, 0x4f] as const,
  reg: { CONFIG: 0x00, SHUNT_VOLTAGE: 0x01, BUS_VOLTAGE: 0x02, POWER: 0x03, CURRENT: 0x04, CALIBRATION: 0x05, MASK_ENABLE: 0x06, ALERT_LIMIT: 0x07, MANUFACTURER_ID: 0xfe, DIE_ID: 0xff },
  /** 4127h: AVG 1, VBUSCT and VSHCT 1.1 ms, shunt+bus continuous; bit 14 is reserved and reads 1. */
  CONFIG_RESET: 0x4127,
  CONFIG_FIXED_BITS: 0x4000,
  /** Die ID DID 226h in bits 15:4, revision in 3:0 (2260h on the datasheet's part). */
  DIE_ID: 0x2260,
  /** Shunt voltage LSB 2.5 µV, full scale ±81.92 mV; bus voltage LSB 1.25 mV, 15 bits (bit 15 reads 0). */
  SHUNT_LSB_V: 2.5e-6,
  SHUNT_FULL_SCALE_V: 0.08192,
  BUS_LSB_V: 0.00125,
  /** CAL = 0.00512 / (Current_LSB × RSHUNT), Current_LSB = Maximum Expected Current / 2^15 (Equations 1–2). */
  CAL_SCALE: 0.00512,
  /** Calibration FS14:FS0; bit 15 is not used. */
  CAL_WRITE_MASK: 0x7fff,
  /** Current = Shunt × CAL / 2048 (Eq. 3); Power = Current × Bus / 20000 (Eq. 4); Power_LSB = 25 × Current_LSB. */
  CURRENT_DIVISOR: 2048,
  POWER_DIVISOR: 20000,
  POWER_LSB_RATIO: 25,
  /** Mask/Enable: CVRF (conversion ready) bit 3, cleared by reading Mask/Enable or writing Configuration; OVF bit 2. */
  MASK_CVRF: 1 << 3,
  MASK_OVF: 1 << 2,
  /** Alert function and polarity bits (15:10, 1:0) are read/write; AFF, CVRF, OVF (4:2) are read-only flags. */
  MASK_WRITE_MASK: 0xfc03,
} as const;

/** INA260, SBOS656C §8.6. Integrated 2 mΩ shunt: no calibration register, fixed LSBs. */
export const Ina260 = {
  addresses: [0x40, 0x4f] as const,
  reg: { CONFIG: 0x00, CURRENT: 0x01, BUS_VOLTAGE: 0x02, POWER: 0x03, MASK_ENABLE: 0x06, ALERT_LIMIT: 0x07, MANUFACTURER_ID: 0xfe, DIE_ID: 0xff },
  /** 6127h: AVG 1, VBUSCT and ISHCT 1.1 ms, current+bus continuous; bits 14:13 reserved, read 11. */
  CONFIG_RESET: 0x6127,
  CONFIG_FIXED_BITS: 0x6000,
  DIE_ID: 0x2270,
  SHUNT_OHMS: 0.002,
  /** Current LSB 1.25 mA (signed), bus 1.25 mV, power 10 mW (§8.5.1, §8.6.2–8.6.4); ±15 A continuous. */
  CURRENT_LSB_A: 0.00125,
  BUS_LSB_V: 0.00125,
  POWER_LSB_W: 0.01,
  MAX_CURRENT_A: 15,
  MASK_CVRF: 1 << 3,
  MASK_OVF: 1 << 2,
  MASK_WRITE_MASK: 0xfc03,
} as const;

/** INA3221, SBOS576C §7.6. Three channels, shunt and bus voltage only: no current, power or calibration register. */
export const Ina3221 = {
  /** A0 to GND, VS, SDA or SCL: 0x40–0x43 only (SBOS576C, serial bus address table). */
  addresses: [0x40, 0x43] as const,
  reg: {
    CONFIG: 0x00,
    /** Channel n (1..3): shunt voltage at 2n−1, bus voltage at 2n. */
    SHUNT_VOLTAGE_1: 0x01,
    BUS_VOLTAGE_1: 0x02,
    CRITICAL_LIMIT_1: 0x07,
    WARNING_LIMIT_1: 0x08,
    SHUNT_VOLTAGE_SUM: 0x0d,
    SHUNT_VOLTAGE_SUM_LIMIT: 0x0e,
    MASK_ENABLE: 0x0f,
    POWER_VALID_UPPER: 0x10,
    POWER_VALID_LOWER: 0x11,
    MANUFACTURER_ID: 0xfe,
    DIE_ID: 0xff,
  },
  /** 7127h: channels 1–3 enabled, AVG 1, VBUSCT and VSHCT 1.1 ms, shunt+bus continuous. */
  CONFIG_RESET: 0x7127,
  /** CH1en bit 14, CH2en 13, CH3en 12. */
  channelEnable: (ch: 1 | 2 | 3) => 1 << (15 - ch),
  DIE_ID: 0x3220,
  /** Shunt: 13-bit two's complement in bits 15:3, LSB 40 µV, ±163.8 mV (7FF8h); bus: bits 15:3, LSB 8 mV (§7.6.2.2–3). */
  SHUNT_LSB_V: 40e-6,
  SHUNT_FULL_SCALE_V: 0.1638,
  BUS_LSB_V: 0.008,
  /** Mask/Enable CVRF bit 0 (conversion ready), cleared by reading Mask/Enable; reset value 0002h (TCF set). */
  MASK_CVRF: 1 << 0,
  MASK_RESET: 0x0002,
  /** Limits' reset values: critical/warning 7FF8h, sum limit 7FFEh, power-valid 2710h (10 V) / 2328h (9 V). */
  LIMIT_RESET: 0x7ff8,
  SUM_LIMIT_RESET: 0x7ffe,
  POWER_VALID_UPPER_RESET: 0x2710,
  POWER_VALID_LOWER_RESET: 0x2328,
} as const;

export const shuntRegister3221 = (ch: 1 | 2 | 3) => 2 * ch - 1;
export const busRegister3221 = (ch: 1 | 2 | 3) => 2 * ch;
