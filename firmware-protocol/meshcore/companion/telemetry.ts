/**
 * The node's own telemetry as CayenneLPP (src/helpers/SensorManager.h, CayenneLPP addVoltage): channel
 * TELEM_CHANNEL_SELF (1), type 116 voltage in 0.01 V, big-endian u16. The companion answers it to
 * CMD_SEND_TELEMETRY_REQ for itself and to REQ_TYPE_GET_TELEMETRY_DATA from permitted contacts. A relay has no
 * environment sensors of the firmware's kind and no MCU temperature worth reporting, so only the battery goes in.
 */
export const TELEM_PERM = { BASE: 0x01, LOCATION: 0x02, ENVIRONMENT: 0x04 } as const;
export const TELEM_CHANNEL_SELF = 1;
export const LPP_VOLTAGE = 116;

export function lppVoltage(channel: number, volts: number): Uint8Array {
  const v = Math.max(0, Math.min(0xffff, Math.round(volts * 100)));
  return Uint8Array.of(channel, LPP_VOLTAGE, v >> 8, v & 0xff);
}

export function selfTelemetry(dev: { battery(): number }, _permissions: number): Uint8Array {
  return lppVoltage(TELEM_CHANNEL_SELF, dev.battery() / 1000);
}
