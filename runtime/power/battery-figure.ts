/**
 * The battery as MeshCore reports it: millivolts and percent, the figures of a companion radio's battery reply
 * (CMD_GET_BATT_AND_STORAGE → RESP_CODE_BATT_AND_STORAGE, battery millivolts) and a repeater's status
 * (RepeaterStats batt_milli_volts). The MeshCore parts consume it as a callback from the relay's components
 * (runtime/components/components.ts `battery`); undefined when the relay has no power monitor or no reading yet.
 */
export interface BatteryFigure {
  milliVolts: number;
  /** 0..100. */
  percent: number;
}

export type BatterySource = () => BatteryFigure | undefined;
