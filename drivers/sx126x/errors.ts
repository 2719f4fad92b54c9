/** One error class per failure mode of the SX126x driver. Tests assert on err.name. */
import { opcodeName } from './opcodes.js';

export class Sx126xCommandError extends Error {
  override readonly name = 'Sx126xCommandError';
  /** Datasheet command status (bits 3:1): 3 timeout, 4 processing error, 5 execution failure. */
  readonly commandStatus: number;
  constructor(readonly opcode: number, readonly status: number, detail = '') {
    const cs = (status >> 1) & 7;
    const what = cs === 3 ? 'command timeout' : cs === 4 ? 'processing error (bad opcode or parameters)' : cs === 5 ? 'failure to execute' : `status ${cs}`;
    super(`SX126x ${opcodeName(opcode)} (0x${opcode.toString(16).padStart(2, '0')}) failed: ${what}, status byte 0x${status.toString(16).padStart(2, '0')}${detail ? `; ${detail}` : ''}`);
    this.commandStatus = cs;
  }
}

export class Sx126xBusyTimeoutError extends Error {
  override readonly name = 'Sx126xBusyTimeoutError';
  constructor(readonly opcode: number | undefined, readonly timeoutMs: number, readonly phase: 'before' | 'after' | 'reset', public recovered = false) {
    super(`SX126x BUSY stayed high for ${timeoutMs} ms ${phase === 'reset' ? 'after reset' : `${phase} ${opcode === undefined ? 'a command' : opcodeName(opcode)}`}; check the BUSY wiring, supply and that NRESET is released`);
  }
}

export class Sx126xChipNotFoundError extends Error {
  override readonly name = 'Sx126xChipNotFoundError';
  constructor(readonly reason: 'no-response' | 'wrong-version', readonly observed: string, readonly wiring: string) {
    super(reason === 'no-response'
      ? `no SX126x answered on SPI (MISO read ${observed}); check ${wiring}`
      : `SX126x version string was "${observed}", not the expected chip; check ${wiring}`);
  }
}

export class Sx126xTxTimeoutError extends Error {
  override readonly name = 'Sx126xTxTimeoutError';
  constructor(readonly timeoutMs: number, readonly airtimeMs: number) {
    super(`SX126x TxDone did not arrive within ${timeoutMs} ms (time on air ${airtimeMs.toFixed(1)} ms); check DIO1 wiring`);
  }
}

export class Sx126xIrqTimeoutError extends Error {
  override readonly name = 'Sx126xIrqTimeoutError';
  constructor(readonly waitedFor: string, readonly timeoutMs: number) {
    super(`SX126x ${waitedFor} did not arrive within ${timeoutMs} ms; check DIO1 wiring`);
  }
}

export class Sx126xStateError extends Error {
  override readonly name = 'Sx126xStateError';
  constructor(message: string) {
    super(message);
  }
}

export class Sx126xPayloadError extends Error {
  override readonly name = 'Sx126xPayloadError';
  constructor(readonly length: number, readonly max: number) {
    super(`LoRa payload must be 1..${max} bytes, got ${length}`);
  }
}

/** The serial bridge answered ERROR (firmware-protocol/lattice-serial/PROTOCOL.md §5); `code` is its error code. */
export class Sx126xBridgeError extends Error {
  override readonly name = 'Sx126xBridgeError';
  constructor(readonly code: number, readonly bridgeMessage: string, readonly request: string) {
    super(`serial bridge rejected ${request}: error ${code} (${bridgeMessage})`);
  }
}

/** No reply from the serial bridge in time. */
export class Sx126xBridgeTimeoutError extends Error {
  override readonly name = 'Sx126xBridgeTimeoutError';
  constructor(readonly waitedFor: string, readonly timeoutMs: number) {
    super(`serial bridge did not send ${waitedFor} within ${timeoutMs} ms; is the bridge firmware running on that port?`);
  }
}

export class Sx126xBridgeClosedError extends Error {
  override readonly name = 'Sx126xBridgeClosedError';
  constructor(readonly link: string, override readonly cause?: unknown) {
    super(`serial bridge link ${link} closed${cause ? `: ${(cause as Error).message ?? cause}` : ''}`);
  }
}

export class Sx126xBridgeVersionError extends Error {
  override readonly name = 'Sx126xBridgeVersionError';
  constructor(readonly hostVersion: number, readonly bridgeVersion: number | undefined) {
    super(`serial bridge speaks lattice-serial version ${bridgeVersion ?? 'unknown'}, this host speaks ${hostVersion}; update the bridge firmware`);
  }
}

/** Listen before talk found the channel busy on every CAD it was allowed (the frame was not sent). */
export class Sx126xChannelBusyError extends Error {
  override readonly name = 'Sx126xChannelBusyError';
  constructor(readonly attempts: number) {
    super(`SX126x channel busy: CAD detected LoRa activity ${attempts} times in a row; the frame was not sent`);
  }
}

/**
 * The health check found the chip no longer configured as the driver left it (it reset on its own: brown-out, ESD)
 * and re-initialised it. Reported through onError for the log; not thrown.
 */
export class Sx126xChipResetError extends Error {
  override readonly name = 'Sx126xChipResetError';
  constructor(readonly mismatch: string, readonly trigger: 'timer' | 'error', override readonly cause?: unknown) {
    super(`SX126x lost its configuration (${mismatch}; found by the ${trigger === 'timer' ? 'periodic health check' : 'health check after a failed command'}): re-initialised`);
  }
}
