/** Bundle errors; tests and metrics use `name` and `reason`. */
export class BundleDecodeError extends Error {
  override name = 'BundleDecodeError';
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(`malformed bundle: ${reason}`, options);
  }
}

export type RejectReason =
  | 'bad-signature'
  | 'expired'
  | 'from-the-future'
  | 'too-many-hops'
  | 'custody-mismatch'
  | 'too-large'
  | 'bad-lifetime'
  | 'bad-recipient';

export class BundleRejectedError extends Error {
  override name = 'BundleRejectedError';
  constructor(readonly reason: RejectReason, detail?: string) {
    super(`bundle rejected (${reason})${detail ? `: ${detail}` : ''}`);
  }
}

export class SealError extends Error {
  override name = 'SealError';
}
