/** Errors of the power subsystem (runtime/power), one class per failure mode; tests check `name`. */

/** A reading no battery can give (a voltage outside the chemistry's plausible range, a current far beyond the
 * configured maximum, not a number): a loose wire, a wrong address or a chip that lost its calibration. */
export class ImplausibleReadingError extends Error {
  override readonly name = 'ImplausibleReadingError';
  constructor(readonly field: string, readonly value: number, readonly reason: string) {
    super(`implausible power reading: ${field} = ${value} (${reason})`);
  }
}

/** The sensor did not answer within the read timeout (a hung I2C bus: SDA held low by a half-finished transfer). */
export class PowerSensorTimeoutError extends Error {
  override readonly name = 'PowerSensorTimeoutError';
  constructor(readonly sensor: string, readonly timeoutMs: number) {
    super(`${sensor} did not answer within ${timeoutMs} ms (is the I2C bus hung?)`);
  }
}

/** The reading has no battery channel (an INA3221 with `channels.battery` on an unwired channel reads 0 V). */
export class NoBatteryChannelError extends Error {
  override readonly name = 'NoBatteryChannelError';
  constructor(readonly sensor: string) {
    super(`${sensor} gave no battery reading`);
  }
}
