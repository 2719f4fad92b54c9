/**
 * SX126x register addresses (DS.SX1261-2 rev 2.2 §12, table 12-1; jgromes/RadioLib SX126x_registers.h;
 * Lora-net/sx126x_driver sx126x_regs.h). Data only.
 */
export const Register = {
  /**
   * Retention list (DS §9.6, below table 9-3; RadioLib SX126x_registers.h RX_GAIN_RETENTION_0..2): a count at 0x029F
   * then register addresses (MSB, LSB) from 0x02A0 that a warm-start sleep keeps; RxGain is lost without it.
   */
  RetentionList: 0x029f,
  /** 16-byte ASCII version string; SX1262 reports "SX1261 V2D 2D02" (RadioLib SX1262.h), SX1268 "SX1268 …". */
  VersionString: 0x0320,
  DioxOutputEnable: 0x0580,
  DioxInputEnable: 0x0583,
  DioxPullUpControl: 0x0584,
  DioxPullDownControl: 0x0585,
  GfskCrcInitialValue: 0x06bc,
  GfskCrcPolynomial: 0x06be,
  GfskSyncWord: 0x06c0,
  /** IQ polarity setup; bit 2 cleared for inverted IQ, set otherwise (datasheet §15.4 errata). */
  IqPolarity: 0x0736,
  /** LoRa sync word MSB / LSB (0x1424 private, 0x3444 public). */
  LoraSyncWordMsb: 0x0740,
  LoraSyncWordLsb: 0x0741,
  RandomNumberGen: 0x0819,
  /** TX modulation / sensitivity; bit 2 cleared at BW500, set otherwise before each TX (datasheet §15.1). */
  TxModulation: 0x0889,
  RxGain: 0x08ac,
  /** TX clamp config; bits 4:1 set to 1111 after init on SX1262 (datasheet §15.2). */
  TxClampConfig: 0x08d8,
  /** Over-current protection, 2.5 mA per LSB. */
  OcpConfiguration: 0x08e7,
  /** RTC control; written 0x00 after an implicit-header RX with timeout (datasheet §15.3). */
  RtcControl: 0x0902,
  XtaTrim: 0x0911,
  XtbTrim: 0x0912,
  /** Event mask; bit 1 set after the RTC stop of the implicit-header timeout errata (datasheet §15.3). */
  EventMask: 0x0944,
} as const;

export type RegisterName = keyof typeof Register;
