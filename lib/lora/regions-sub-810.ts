/**
 * Regions below 810 MHz, the ones an SX1268 board (410–810 MHz) can use: the bands the Meshtastic firmware lists in
 * that range (meshtastic/firmware:src/mesh/RadioInterface.cpp regions[], firmware 2.7.26: EU_433, CN, ANZ_433, UA_433,
 * MY_433, PH_433, KZ_433). EU_433 follows CEPT ERC Rec 70-03 Annex 1 band h1.4 (433.05–434.79 MHz, 10 mW e.r.p.,
 * ≤ 10 % duty cycle), which Meshtastic's row (10 %, 10 dBm) matches. For the other regions this table has no
 * regulatory source of its own: it carries the firmware's RDEF row (band, duty cycle, power limit) and applies the
 * power limit as the firmware does, to the chip's conducted setting. None of them has a dwell rule in the firmware.
 */
import type { RegionRules } from './regions.js';

const MHz = 1_000_000;

export const EU433: RegionRules = {
  name: 'EU433',
  subBands: [{ id: 'eu433-h1.4', maxPowerDbm: 10, powerReference: 'erp', lowHz: 433.05 * MHz, highHz: 434.79 * MHz, dutyCycle: 0.1 }],
};

/** A region as the firmware's RDEF row gives it: one sub-band, duty cycle in percent, conducted power limit. */
function rdef(name: RegionRules['name'], id: string, lowMHz: number, highMHz: number, dutyPercent: number, powerDbm: number): RegionRules {
  return {
    name,
    subBands: [{ id, maxPowerDbm: powerDbm, powerReference: 'conducted', lowHz: lowMHz * MHz, highHz: highMHz * MHz, dutyCycle: dutyPercent / 100 }],
  };
}

export const CN470 = rdef('CN470', 'cn470', 470.0, 510.0, 100, 19);
export const ANZ433 = rdef('ANZ433', 'anz433', 433.05, 434.79, 100, 14);
export const UA433 = rdef('UA433', 'ua433', 433.0, 434.7, 10, 10);
export const MY433 = rdef('MY433', 'my433', 433.0, 435.0, 100, 20);
export const PH433 = rdef('PH433', 'ph433', 433.0, 434.7, 100, 10);
export const KZ433 = rdef('KZ433', 'kz433', 433.075, 434.775, 100, 10);
