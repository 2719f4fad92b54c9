/** IP bearer errors, one class per failure mode; tests assert on `name`. */
import { AbortError } from '../../../lib/errors.js';

/** A datagram or stream frame that does not parse; `reason` is a stable short token used as a metric label. */
export class IpDecodeError extends Error {
  override name = 'IpDecodeError';
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/** The bearer stopped (or the caller aborted) while a send was waiting for a TCP connection. */
export class IpBearerAbortError extends AbortError {
  constructor(readonly peer: string, options?: { cause?: unknown }) {
    super(`send to ${peer} aborted`, options);
  }
}

/** Opening or authenticating an outgoing TCP connection failed. */
export class IpConnectError extends Error {
  override name = 'IpConnectError';
  constructor(readonly peer: string, readonly address: string, message: string, options?: { cause?: unknown }) {
    super(`${peer.slice(0, 12)} at ${address}: ${message}`, options);
  }
}

/** start() could not bind the UDP/TCP listeners. */
export class IpListenError extends Error {
  override name = 'IpListenError';
  constructor(readonly host: string, readonly port: number, options?: { cause?: unknown }) {
    super(`cannot listen on ${host}:${port} (UDP and TCP)`, options);
  }
}

/** A shard-store message over the largest the IP bearer carries (`MAX_SHARD_MESSAGE_BYTES`, shard-fragments.ts). */
export class ShardMessageTooLargeError extends Error {
  override name = 'ShardMessageTooLargeError';
  constructor(readonly bytes: number, readonly max: number) {
    super(`shard message of ${bytes} bytes is over the IP bearer's ${max}-byte limit`);
  }
}
