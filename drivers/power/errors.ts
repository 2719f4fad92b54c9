/**
 * One error class per failure mode of the power sensors and their I2C bus. Tests and the runtime assert on
 * `err.name`; the structured fields (`address`, `register`, `code`) say where it happened.
 */

const hex = (n: number, digits = 2) => `0x${n.toString(16).padStart(digits, '0')}`;

/**
 * Nobody acknowledged: no device at the address, or a device that is browning out, unpowered or held in reset.
 * Linux reports it as EREMOTEIO (errno 121) from most adapters (i2c-bcm2835, i2c-designware) and ENXIO from some.
 */
export class I2cNakError extends Error {
  override readonly name = 'I2cNakError';
  constructor(readonly path: string, readonly address: number, readonly register: number, readonly op: 'read' | 'write', override readonly cause?: unknown) {
    super(`no acknowledge from ${hex(address)} on ${path} (${op} register ${hex(register)}): check the wiring, the address straps and the sensor's supply`);
  }
}

/** A transfer did not finish within its time limit: a device holding SDA or SCL low, or a wedged adapter. */
export class I2cTimeoutError extends Error {
  override readonly name = 'I2cTimeoutError';
  constructor(readonly path: string, readonly address: number, readonly register: number, readonly op: 'read' | 'write', readonly timeoutMs: number) {
    super(`${op} of register ${hex(register)} at ${hex(address)} on ${path} did not finish within ${timeoutMs} ms (bus hung: a device holding SDA/SCL low, or the adapter is stuck)`);
  }
}

/** The bus device does not exist (I2C not enabled, wrong bus number, device not passed into the container). */
export class I2cBusMissingError extends Error {
  override readonly name = 'I2cBusMissingError';
  constructor(readonly path: string, override readonly cause?: unknown) {
    super(`${path} does not exist: enable I2C (dtparam=i2c_arm=on; on balena BALENA_HOST_CONFIG_dtparam keeps "i2c_arm=on"), check the bus number and pass the device into the container`);
  }
}

/** The bus device exists but may not be opened (not in group i2c, container without the device). */
export class I2cBusAccessError extends Error {
  override readonly name = 'I2cBusAccessError';
  constructor(readonly path: string, override readonly cause?: unknown) {
    super(`${path} may not be opened (${(cause as Error)?.message ?? cause}): add the user to group i2c or run the container privileged`);
  }
}

/** The bus was closed (by its owner) before or while the transfer waited. */
export class I2cBusClosedError extends Error {
  override readonly name = 'I2cBusClosedError';
  constructor(readonly path: string) {
    super(`${path} is closed`);
  }
}

/** Any other failure of a transfer (EIO, EAGAIN from arbitration loss, ETIMEDOUT from the adapter itself). */
export class I2cIoError extends Error {
  override readonly name = 'I2cIoError';
  constructor(readonly path: string, readonly address: number, readonly register: number, readonly op: 'read' | 'write', readonly code: string, override readonly cause?: unknown) {
    super(`${op} of register ${hex(register)} at ${hex(address)} on ${path} failed: ${code}`);
  }
}

/** A sensor option that cannot work (shunt range exceeded, calibration out of its register, bad channel map). */
export class PowerSensorConfigError extends RangeError {
  override readonly name = 'PowerSensorConfigError';
  constructor(readonly key: string, message: string) {
    super(`power.${key}: ${message}`);
  }
}

/** The device at the address is not the chip configured (identity registers say otherwise). */
export class PowerSensorIdentityError extends Error {
  override readonly name = 'PowerSensorIdentityError';
  constructor(readonly chip: string, readonly address: number, readonly register: number, readonly expected: number, readonly found: number) {
    super(`the device at ${hex(address)} is not an ${chip}: register ${hex(register)} reads ${hex(found, 4)}, an ${chip} reads ${hex(expected, 4)}; check power.sensor and power.address`);
  }
}

/** Configuration or calibration did not read back as written even after programming it again. */
export class PowerSensorProgramError extends Error {
  override readonly name = 'PowerSensorProgramError';
  constructor(readonly chip: string, readonly register: number, readonly wrote: number, readonly read: number) {
    super(`${chip} register ${hex(register)} reads back ${hex(read, 4)} after writing ${hex(wrote, 4)}`);
  }
}

/** No conversion completed in several times the configured conversion time (a chip stuck in power-down). */
export class PowerSensorConversionTimeoutError extends Error {
  override readonly name = 'PowerSensorConversionTimeoutError';
  constructor(readonly chip: string, readonly waitedMs: number) {
    super(`${chip} reported no completed conversion within ${waitedMs} ms`);
  }
}

/** The chip flags its current or power arithmetic as overflowed (INA219 OVF): the reading means nothing. */
export class PowerSensorOverflowError extends Error {
  override readonly name = 'PowerSensorOverflowError';
  constructor(readonly chip: string) {
    super(`${chip} reports a math overflow (OVF): current or power out of range for the calibration; raise power.maxCurrentA`);
  }
}

/** read() before init() succeeded, or after close(). */
export class PowerSensorStateError extends Error {
  override readonly name = 'PowerSensorStateError';
  constructor(readonly chip: string, readonly state: 'not-initialised' | 'closed') {
    super(`${chip} is ${state === 'closed' ? 'closed' : 'not initialised (call init() first)'}`);
  }
}
