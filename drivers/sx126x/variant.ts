/**
 * Per-variant facts for the SX126x family members we drive. Data only.
 * SX1262 and SX1268 both use the high-power PA (deviceSel 0, -9..+22 dBm); they differ in frequency range, version
 * string and PA table (pa-table.ts, RadioLib's per-dBm settings). OCP 0x38 (140 mA, as meshtastic/firmware
 * src/mesh/SX126xInterface.cpp setCurrentLimit) is written after SetPaConfig, because SetPaConfig resets OCP to its
 * default (datasheet §13.1.14).
 */
export type Sx126xVariant = 'sx1262' | 'sx1268';

export interface VariantInfo {
  variant: Sx126xVariant;
  /** Prefix the 16-byte version string at 0x0320 must start with (RadioLib SX1262.h: "all SX1262 devices report as SX1261"). */
  versionPrefix: string;
  minFrequencyHz: number;
  maxFrequencyHz: number;
  minPowerDbm: number;
  maxPowerDbm: number;
  /** OCP register value (2.5 mA steps) to write after SetPaConfig. */
  ocp: number;
}

export const Variants: Readonly<Record<Sx126xVariant, VariantInfo>> = {
  sx1262: {
    variant: 'sx1262',
    versionPrefix: 'SX1261',
    minFrequencyHz: 150_000_000,
    maxFrequencyHz: 960_000_000,
    minPowerDbm: -9,
    maxPowerDbm: 22,
    ocp: 0x38,
  },
  sx1268: {
    variant: 'sx1268',
    versionPrefix: 'SX1268',
    minFrequencyHz: 410_000_000,
    maxFrequencyHz: 810_000_000,
    minPowerDbm: -9,
    maxPowerDbm: 22,
    ocp: 0x38,
  },
};
