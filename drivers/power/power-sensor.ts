/**
 * What the relay reads from a power monitor, whatever the chip (INA219, INA226, INA260, INA3221 over I2C; an
 * emulated one on a simulated battery and panel). One reading per channel role; absent roles are undefined.
 * Volts are bus voltages at the channel, amps positive into the battery (charging) for the battery channel.
 */
export interface PowerChannelReading {
  volts: number;
  amps: number;
  watts: number;
}

export interface PowerReading {
  /** Clock time of the reading, ms. */
  at: number;
  battery?: PowerChannelReading;
  panel?: PowerChannelReading;
  load?: PowerChannelReading;
}

export interface PowerSensor {
  /** e.g. 'ina219 @0x40 on /dev/i2c-1'. */
  readonly description: string;
  /** Times the chip was found reset (a brown-out: calibration or configuration back at power-on values) and
   * programmed again; optional so that a fake need not count. */
  readonly brownOuts?: number;
  /** Programs configuration and calibration (again after a brown-out reset the registers). */
  init(): Promise<void>;
  /** One reading of every configured channel; rejects with a typed error from ./errors.ts. */
  read(): Promise<PowerReading>;
  close(): Promise<void>;
}
