/**
 * The node's own telemetry as CayenneLPP (../ota/cayenne-lpp.ts, the firmware's CayenneLPP): addVoltage on
 * TELEM_CHANNEL_SELF with (float)board.getBattMilliVolts() / 1000.0f. The companion answers it to
 * CMD_SEND_TELEMETRY_REQ for itself and to REQ_TYPE_GET_TELEMETRY_DATA from permitted contacts. A relay has no
 * environment sensors of the firmware's kind and no MCU temperature worth reporting, so only the battery goes in.
 */
import { LppWriter, voltsFromMilliVolts } from '../ota/cayenne-lpp.js';
import { REQ_TYPE, TELEM_CHANNEL_SELF, TELEM_PERM } from '../ota/request-codes.js';
import type { ContactInfo } from './contacts-table.js';

export { TELEM_PERM };

export function selfTelemetry(dev: { battery(): number }, _permissions: number): Uint8Array {
  const w = new LppWriter();
  w.addVoltage(TELEM_CHANNEL_SELF, voltsFromMilliVolts(dev.battery()));
  return w.bytes();
}

/**
 * MyMesh::onContactRequest: REQ_TYPE_GET_TELEMETRY_DATA from a contact, answered (tag · LPP) when the telemetry modes
 * (prefs telemetry_mode_base/loc/env: 2 = everyone, 1 = by the contact's permission flags) grant the base permission;
 * undefined for no reply.
 */
export function telemetryReply(dev: { battery(): number }, modes: number, contact: ContactInfo, senderTimestamp: number, data: Uint8Array): Uint8Array | undefined {
  if (data[0] !== REQ_TYPE.GET_TELEMETRY_DATA) return undefined;
  const cp = contact.flags >> 1;
  const allow = (mode: number, perm: number): number => (mode === 2 ? perm : mode === 1 ? cp & perm : 0);
  let perms = allow(modes & 3, TELEM_PERM.BASE) | allow((modes >> 2) & 3, TELEM_PERM.LOCATION) | allow((modes >> 4) & 3, TELEM_PERM.ENVIRONMENT);
  perms &= ~(data[1] ?? 0) & 0xff;
  if ((perms & TELEM_PERM.BASE) === 0) return undefined;
  const lpp = selfTelemetry(dev, perms);
  const out = new Uint8Array(4 + lpp.length);
  new DataView(out.buffer).setUint32(0, senderTimestamp >>> 0, true);
  out.set(lpp, 4);
  return out;
}
