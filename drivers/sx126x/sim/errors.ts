/** Failures of the emulator itself: a driver bug it caught, or a request beyond what it models. */
export class BusyViolationError extends Error {
  override readonly name = 'BusyViolationError';
  constructor(readonly chip: string, readonly mosi: string) {
    super(`SPI transfer [${mosi}] to ${chip} while BUSY was high: the driver did not wait for BUSY (DS.SX1261-2 §8.3.1)`);
  }
}

export class EmulatorLimitError extends Error {
  override readonly name = 'EmulatorLimitError';
  constructor(message: string) {
    super(message);
  }
}

/** A command sequence the real chip would accept but that is a driver fault (driver-faults.ts), with strictDriver. */
export class EmulatorDriverFaultError extends Error {
  override readonly name = 'EmulatorDriverFaultError';
  constructor(readonly chip: string, readonly kind: string, detail: string) {
    super(`${chip}: driver fault ${kind}: ${detail}`);
  }
}
