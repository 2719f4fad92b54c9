/** One error class per failure mode of the Linux hardware seams. Tests assert on err.name. */

/** How to get a native module built on a Debian/Raspberry Pi OS board (node-gyp needs a compiler and python3). */
export const NATIVE_BUILD_FIX = 'apt-get install build-essential python3';

/** An optional native package is not installed at all (npm drops an optional dependency whose build failed). */
export class NativeModuleMissingError extends Error {
  override readonly name = 'NativeModuleMissingError';
  constructor(readonly module: string, readonly purpose: string, override readonly cause?: unknown, readonly requiredBy?: string) {
    super(`the native package "${module}"${requiredBy ? ` (used by ${requiredBy})` : ''} is needed for ${purpose} but is not installed (npm leaves out an optional native package whose build failed); fix on the board: \`${NATIVE_BUILD_FIX}\`, then \`npm install ${requiredBy ?? module}\` in the relay's directory`);
  }
}

/** An optional native package is installed but its compiled part is missing or does not load (no compiler at
 * install time, or built for another Node.js). */
export class NativeModuleBuildError extends Error {
  override readonly name = 'NativeModuleBuildError';
  constructor(readonly module: string, readonly purpose: string, override readonly cause?: unknown, readonly requiredBy?: string) {
    const first = String((cause as Error)?.message ?? cause ?? '').split('\n')[0];
    super(`the native module "${module}"${requiredBy ? ` (used by ${requiredBy})` : ''} is needed for ${purpose} but did not build or does not load${first ? ` (${first})` : ''}; fix on the board: \`${NATIVE_BUILD_FIX}\`, then \`npm rebuild ${module}\` in the relay's directory`);
  }
}

export class GpioChipNotFoundError extends Error {
  override readonly name = 'GpioChipNotFoundError';
  /** `where`: `/dev/gpiochip*` or `/sys/class/gpio`; `found`: what was there, for the message. */
  constructor(readonly where: string, readonly wanted: string, readonly found: string[], hint: string) {
    super(`no GPIO chip ${wanted} among ${where} (found: ${found.length ? found.join(', ') : 'none'}); ${hint}`);
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
  /** `at`: the line as the backend names it (`/dev/gpiochip0 line 16`, `sysfs 528`). */
  constructor(readonly pin: number, readonly at: string, override readonly cause: unknown, hint = 'check the permissions of the GPIO device (group gpio) and that no other process holds the line') {
    super(`could not open BCM GPIO ${pin} (${at}): ${(cause as Error)?.message ?? cause}; ${hint}`);
  }
}

/** The line is held by another consumer (another program, or a kernel driver such as the SPI controller's chip
 * select after `dtoverlay=spi0-1cs,cs0_pin=N`). */
export class GpioLineBusyError extends Error {
  override readonly name = 'GpioLineBusyError';
  constructor(readonly pin: number, readonly chip: string, readonly consumer: string) {
    super(`BCM GPIO ${pin} on ${chip} is already held by "${consumer || 'another process'}"; ${/^spi\d+ CS\d+$/.test(consumer) ? 'the SPI controller owns it as its chip select (dtoverlay cs0_pin): the radio then uses that hardware chip select, do not also name it as a GPIO' : 'stop the program that holds it (gpioinfo shows the consumer), e.g. meshtasticd on the same HAT'}`);
  }
}

export class GpioIoError extends Error {
  override readonly name = 'GpioIoError';
  constructor(readonly pin: number, readonly at: string, readonly op: 'read' | 'write' | 'events', readonly code: string) {
    super(`GPIO ${op} on BCM ${pin} (${at}) failed: ${code}`);
  }
}

/** Neither the character device nor sysfs GPIO can be used; says why for each. */
export class GpioUnavailableError extends Error {
  override readonly name = 'GpioUnavailableError';
  constructor(readonly pin: number, readonly reasons: { cdev: Error; sysfs: Error }) {
    super(`no way to drive BCM GPIO ${pin}: the GPIO character device: ${reasons.cdev.message}; sysfs GPIO (deprecated, absent on Pi 5 images): ${reasons.sysfs.message}`);
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

/** The SPI controller refuses SPI_NO_CS (the Pi 5's RP1 does, raspberrypi/linux#6545), which a board with its chip
 * select on a plain GPIO needs unless the device tree moves the chip select to that pin. */
export class SpiNoChipSelectError extends Error {
  override readonly name = 'SpiNoChipSelectError';
  constructor(readonly path: string, readonly csPin: number, override readonly cause: unknown) {
    const m = /spidev(\d+)\.(\d+)$/.exec(path);
    const overlay = `dtoverlay=spi${m?.[1] ?? 0}-1cs,cs0_pin=${csPin}`;
    super(`${path} refuses SPI_NO_CS (${(cause as Error)?.message ?? cause}), which driving the chip select on BCM ${csPin} as a GPIO needs (the Raspberry Pi 5's RP1 SPI driver refuses it); let the SPI controller drive BCM ${csPin} instead: add \`${overlay}\` to /boot/firmware/config.txt (balena: BALENA_HOST_CONFIG_dtoverlay="spi${m?.[1] ?? 0}-1cs,cs0_pin=${csPin}") and reboot; the radio then finds the pin held as "spi${m?.[1] ?? 0} CS0" and uses the hardware chip select`);
  }
}
