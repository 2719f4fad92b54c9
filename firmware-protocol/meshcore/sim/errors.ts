/** Failure modes of the simulator's test support (the protocol's own errors are in ../errors.ts). */

/** socat could not make a PTY pair (missing, failed, or too slow). */
export class PtyPairError extends Error {
  override readonly name = 'PtyPairError';
  constructor(readonly detail: string, options?: { cause?: unknown }) {
    super(`socat PTY pair: ${detail}`, options);
  }
}

/** Bad `lattice sim meshcore` arguments; the message includes the usage line. */
export class SimUsageError extends Error {
  override readonly name = 'SimUsageError';
}

/** A simulated node asked to do what its kind does not (a repeater posting on a channel, a DM to a stranger). */
export class SimRoleError extends Error {
  override readonly name = 'SimRoleError';
  constructor(readonly node: string, readonly detail: string) {
    super(`simulated node ${node}: ${detail}`);
  }
}
