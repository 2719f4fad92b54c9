/** One error class per failure mode of the MeshCore companion client. Tests assert on `name`. */
import { AbortError } from '../../lib/errors.js';
import { ERR_CODE_NAMES } from './codes.js';

/** The radio answered RESP_CODE_ERR. `errCode` is the firmware's ERR_CODE_* (absent on very old firmware). */
export class MeshCoreCommandRejectedError extends Error {
  override readonly name = 'MeshCoreCommandRejectedError';
  constructor(readonly command: string, readonly errCode: number | undefined) {
    super(`${command} rejected by the radio: ${errCode === undefined ? 'ERR' : ERR_CODE_NAMES[errCode] ?? `ERR ${errCode}`}`);
  }
}

/** No reply arrived in time; `waitedFor` names the reply codes. */
export class MeshCoreTimeoutError extends Error {
  override readonly name = 'MeshCoreTimeoutError';
  constructor(readonly command: string, readonly waitedFor: string, readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${waitedFor} (reply to ${command})`);
  }
}

/** A reply frame was too short or otherwise not laid out as the firmware writes it. */
export class MeshCoreReplyFormatError extends Error {
  override readonly name = 'MeshCoreReplyFormatError';
  constructor(readonly code: number, readonly detail: string, readonly frameLength: number) {
    super(`malformed MeshCore frame 0x${code.toString(16)} (${frameLength} bytes): ${detail}`);
  }
}

/** A command's arguments do not fit the firmware's layout or limits. */
export class MeshCoreArgumentError extends Error {
  override readonly name = 'MeshCoreArgumentError';
  constructor(readonly command: string, readonly detail: string) {
    super(`${command}: ${detail}`);
  }
}

/** A DM needs the recipient in the radio's contacts (its public key); none matched. */
export class MeshCoreContactUnknownError extends Error {
  override readonly name = 'MeshCoreContactUnknownError';
  constructor(readonly key: string) {
    super(`no MeshCore contact with public key ${key}: a DM needs the contact's public key (advert or import)`);
  }
}

/**
 * The link is closed or closed while a command was waiting. `unanswered` names a command whose frame had been
 * written to the link in full before it closed: the radio may have carried it out (a channel text may be on the air)
 * and only its answer was lost. Absent, the command never left this side.
 */
export class MeshCoreLinkClosedError extends Error {
  override readonly name = 'MeshCoreLinkClosedError';
  readonly unanswered?: string;
  constructor(readonly link: string, options?: { cause?: unknown; unanswered?: string }) {
    super(options?.unanswered ? `MeshCore link ${link} closed before the answer to ${options.unanswered}` : `MeshCore link ${link} closed`, options);
    if (options?.unanswered) this.unanswered = options.unanswered;
  }
}

/** The session was used before start() finished or after stop(). */
export class MeshCoreSessionStateError extends Error {
  override readonly name = 'MeshCoreSessionStateError';
  constructor(readonly state: string, readonly operation: string) {
    super(`${operation} not possible while the MeshCore session is ${state}`);
  }
}

/** The wait was aborted by the caller's signal. */
export class MeshCoreAbortError extends AbortError {
  constructor(readonly operation: string, options?: { cause?: unknown }) {
    super(`${operation} aborted`, options);
  }
}
