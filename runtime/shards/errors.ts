/** Shard-store errors: one class per failure mode, stable `name`, structured fields. Tests assert on `name`. */

export class SingularMatrixError extends Error {
  override name = 'SingularMatrixError';
  constructor(readonly size: number) {
    super(`GF(2^8) matrix of size ${size} is singular`);
  }
}

/** Fewer than k intact shards of a chunk could be found anywhere. */
export class NotEnoughShardsError extends Error {
  override name = 'NotEnoughShardsError';
  constructor(readonly needed: number, readonly found: number, readonly chunk?: number) {
    super(`need ${needed} shards to rebuild${chunk === undefined ? '' : ` chunk ${chunk}`}, found ${found}`);
  }
}

/** Bytes whose hash does not match the address they were stored or fetched under. */
export class ShardHashMismatchError extends Error {
  override name = 'ShardHashMismatchError';
  constructor(readonly expected: string, readonly actual: string, readonly source: string) {
    super(`shard ${expected.slice(0, 16)}… from ${source} hashes to ${actual.slice(0, 16)}…`);
  }
}

/** A chunk rebuilt from shards whose hash is not the one in the manifest. */
export class ChunkHashMismatchError extends Error {
  override name = 'ChunkHashMismatchError';
  constructor(readonly chunk: number) {
    super(`chunk ${chunk} does not match the hash in its manifest`);
  }
}

export class ShardFormatError extends Error {
  override name = 'ShardFormatError';
  constructor(readonly reason: string) {
    super(`malformed shard: ${reason}`);
  }
}

export class ManifestDecodeError extends Error {
  override name = 'ManifestDecodeError';
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(`malformed manifest: ${reason}`, options);
  }
}

export class ManifestNotFoundError extends Error {
  override name = 'ManifestNotFoundError';
  constructor(readonly id: string) {
    super(`manifest ${id} not found locally or on any reachable relay`);
  }
}

/**
 * The disk budget is full of shards this node promised to keep (or the disk under it is full): nothing more can be
 * promised. `budget` is the one in force (shards.diskBytes, or less when the filesystem has less room).
 */
export class StoreFullError extends Error {
  override name = 'StoreFullError';
  constructor(readonly needed: number, readonly budget: number, readonly promised: number, options?: { cause?: unknown }) {
    super(`shard store full: ${promised} B promised of ${budget} B budget, ${needed} B more requested`, options);
  }
}

/** No relay (including this one) would take a shard. */
export class NoHolderError extends Error {
  override name = 'NoHolderError';
  constructor(readonly shard: string, readonly tried: number) {
    super(`no relay accepted shard ${shard.slice(0, 16)}… (${tried} tried)`);
  }
}

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(readonly size: number, readonly max: number) {
    super(`file of ${size} B exceeds the ${max} B limit (shards.maxFileBytes)`);
  }
}

export class ShardConfigError extends Error {
  override name = 'ShardConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid shards config:\n  ${problems.join('\n  ')}`);
  }
}

/** A shard RPC peer answered with an error, sent garbage, or is not connected. */
export class ShardRpcError extends Error {
  override name = 'ShardRpcError';
  constructor(readonly peer: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`shard RPC with ${peer.slice(0, 16)}: ${reason}`, options);
  }
}

export class ShardRpcFrameError extends Error {
  override name = 'ShardRpcFrameError';
  constructor(readonly reason: string) {
    super(`shard RPC frame: ${reason}`);
  }
}

/** A wait that ran out of time; `waitedFor` names what it waited for. */
export class ShardTimeoutError extends Error {
  override name = 'ShardTimeoutError';
  constructor(readonly waitedFor: string, readonly ms: number) {
    super(`timed out after ${ms} ms waiting for ${waitedFor}`);
  }
}

export class ShardStoreClosedError extends Error {
  override name = 'ShardStoreClosedError';
  constructor() {
    super('shard store is not started');
  }
}
