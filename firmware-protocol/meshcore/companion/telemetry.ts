/**
 * The node's own telemetry as CayenneLPP (../ota/cayenne-lpp.ts, the firmware's CayenneLPP): addVoltage on
 * TELEM_CHANNEL_SELF with (float)board.getBattMilliVolts() / 1000.0f. The companion answers it to
 * CMD_SEND_TELEMETRY_REQ for itself and to REQ_TYPE_GET_TELEMETRY_DATA from permitted contacts. A relay has no
 * environment sensors of the firmware's kind and no MCU temperature worth reporting, so only the battery goes in.
 */
import { LppWriter, voltsFromMilliVolts } from '../ota/cayenne-lpp.js';
import { TELEM_CHANNEL_SELF, TELEM_PERM } from '../ota/request-codes.js';

export { TELEM_PERM };

export function selfTelemetry(dev: { battery(): number }, _permissions: number): Uint8Array {
  const w = new LppWriter();
  w.addVoltage(TELEM_CHANNEL_SELF, voltsFromMilliVolts(dev.battery()));
  return w.bytes();
}
