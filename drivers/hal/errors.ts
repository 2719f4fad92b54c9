/** One error class per failure mode of the Linux hardware seams. Tests assert on err.name. */

export class NativeModuleMissingError extends Error {
  override readonly name = 'NativeModuleMissingError';
  constructor(readonly module: string, readonly purpose: string, override readonly cause?: unknown) {
    super(`the optional native package "${module}" is needed for ${purpose} but could not be loaded; install it on the board with \`npm install ${module}\` (it builds with node-gyp: needs python3, make and a C++ compiler)`);
  }
}

export class GpioChipNotFoundError extends Error {
  override readonly name = 'GpioChipNotFoundError';
  constructor(readonly sysRoot: string, readonly wanted: string, readonly found: string[]) {
    super(`no GPIO chip ${wanted} under ${sysRoot}/class/gpio (found: ${found.length ? found.join(', ') : 'none'}); is this a Raspberry Pi with CONFIG_GPIO_SYSFS, and is /sys mounted read-write (privileged container)?`);
  }
}

export class GpioPinRangeError extends Error {
  override readonly name = 'GpioPinRangeError';
  constructor(readonly pin: number, readonly chip: string, readonly ngpio: number) {
    super(`GPIO ${pin} is outside ${chip} (0..${ngpio - 1})`);
  }
}

export class GpioOpenError extends Error {
  override readonly name = 'GpioOpenError';
  constructor(readonly pin: number, readonly sysfsNumber: number, override readonly cause: unknown) {
    super(`could not open BCM GPIO ${pin} (sysfs ${sysfsNumber}): ${(cause as Error)?.message ?? cause}; check permissions on /sys/class/gpio and that no other process holds the line`);
  }
}

export class SpiOpenError extends Error {
  override readonly name = 'SpiOpenError';
  constructor(readonly path: string, override readonly cause: unknown) {
    super(`could not open ${path}: ${(cause as Error)?.message ?? cause}; enable SPI (dtparam=spi=on, on balena BALENA_HOST_CONFIG_dtparam) and pass the device into the container`);
  }
}

export class SpiTransferError extends Error {
  override readonly name = 'SpiTransferError';
  constructor(readonly path: string, override readonly cause: unknown) {
    super(`SPI transfer on ${path} failed: ${(cause as Error)?.message ?? cause}`);
  }
}
