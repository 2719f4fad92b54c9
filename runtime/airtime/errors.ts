/** Errors of the airtime layer (time on air, duty cycle, dwell, listen-before-talk); tests assert on `name`. */
import type { LockHolder } from '../storage/errors.js';

/** The rolling-hour duty-cycle budget of a sub-band has no room for this frame now. `waitMs` says when it will. */
export class DutyCycleExceededError extends Error {
  override name = 'DutyCycleExceededError';
  constructor(
    readonly subBand: string,
    readonly airtimeMs: number,
    /** Milliseconds until the frame fits; Infinity when the frame alone is longer than the whole hourly budget. */
    readonly waitMs: number,
    readonly budgetMs: number,
  ) {
    super(
      Number.isFinite(waitMs)
        ? `duty cycle of sub-band ${subBand} exhausted: a ${airtimeMs.toFixed(1)} ms frame fits in ${Math.ceil(waitMs)} ms (budget ${budgetMs} ms per hour)`
        : `a ${airtimeMs.toFixed(1)} ms frame exceeds the whole hourly budget of sub-band ${subBand} (${budgetMs} ms)`,
    );
  }
}

/** One transmission would stay on the air longer than the region allows (US915: 400 ms below 500 kHz). */
export class DwellTimeExceededError extends Error {
  override name = 'DwellTimeExceededError';
  constructor(readonly region: string, readonly airtimeMs: number, readonly maxDwellMs: number) {
    super(`a ${airtimeMs.toFixed(1)} ms frame exceeds the ${region} dwell limit of ${maxDwellMs} ms per transmission`);
  }
}

/** Listen-before-talk found the channel busy on every attempt. */
export class ChannelBusyError extends Error {
  override name = 'ChannelBusyError';
  constructor(readonly subBand: string, readonly attempts: number) {
    super(`channel in sub-band ${subBand} busy on ${attempts} listen-before-talk attempts`);
  }
}

/** The persisted airtime ledger could not be read as a ledger (kept aside; the ledger then assumes a full budget). */
export class LedgerCorruptError extends Error {
  override name = 'LedgerCorruptError';
  constructor(readonly path: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`airtime ledger ${path} is corrupt: ${reason}`, options);
  }
}

/**
 * The ledger could not save a transmission durably, so the frame does not go on the air: radio law fails closed
 * (a budget that is not on disk would be granted again by the next restart).
 */
export class LedgerSaveError extends Error {
  override name = 'LedgerSaveError';
  constructor(readonly subBand: string, readonly airtimeMs: number, options: { cause: unknown }) {
    super(`airtime ledger cannot be saved (${(options.cause as Error)?.message ?? String(options.cause)}): a ${airtimeMs.toFixed(1)} ms frame in sub-band ${subBand} is not sent`, options);
  }
}

/** Another live process writes this airtime ledger (two writers would each record only their own airtime). */
export class LedgerLockedError extends Error {
  override name = 'LedgerLockedError';
  constructor(readonly path: string, readonly holder: LockHolder, options?: { cause?: unknown }) {
    super(`airtime ledger ${path} is in use by process ${holder.pid} on ${holder.hostname} since ${holder.startedAt}`, options);
  }
}
