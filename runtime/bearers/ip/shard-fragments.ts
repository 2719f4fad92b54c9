/**
 * Shard-store messages over the IP bearer's TCP connections (PROTOCOL.md, "Shard messages"). A message (a CBOR
 * request or response of runtime/shards/link-shard-network.ts) can be larger than one stream frame: a manifest is
 * ~200 B per 12 KB chunk of the file, 1.7 MB for a 100 MB file. It travels as SHARD stream frames whose payload is
 *
 *   0  u8   flags: bit 0 set on the last fragment of the message
 *   1  ...  up to `fragmentBytes` bytes of the message
 *
 * All fragments of one message are written back to back on the sender's own connection (tcp-transport.ts writes
 * them in one synchronous loop), so they arrive in order with nothing between them and need no message id. The
 * receiver keeps one reassembler per inbound connection and refuses a message that grows past the maximum.
 */
import { ShardMessageTooLargeError } from './errors.js';

/** Largest message carried: a 1 GiB file's manifest (~18 MB, runtime/shards/manifest.ts) with headroom; the same
 * bound as the shard store's own TCP RPC (runtime/shards/shard-rpc-codec.ts DEFAULT_MAX_FRAME). */
export const MAX_SHARD_MESSAGE_BYTES = 32 * 2 ** 20;
/** Fragment size: small enough that a bundle frame queued behind a big message waits at most a few ms on a LAN
 * (16 KiB is ~1.3 ms at 100 Mbit/s), large enough that the 8-byte frame overhead is noise. */
export const SHARD_FRAGMENT_BYTES = 16 * 1024;
const LAST = 0x01;

/** Fragment payloads of one message (at least one, even for an empty message). */
export function fragmentShardMessage(message: Uint8Array, fragmentBytes = SHARD_FRAGMENT_BYTES, max = MAX_SHARD_MESSAGE_BYTES): Uint8Array[] {
  if (!Number.isInteger(fragmentBytes) || fragmentBytes < 1) throw new RangeError(`fragmentBytes ${fragmentBytes}`);
  if (message.length > max) throw new ShardMessageTooLargeError(message.length, max);
  const out: Uint8Array[] = [];
  let off = 0;
  do {
    const n = Math.min(fragmentBytes, message.length - off);
    const f = new Uint8Array(1 + n);
    f[0] = off + n === message.length ? LAST : 0;
    f.set(message.subarray(off, off + n), 1);
    out.push(f);
    off += n;
  } while (off < message.length);
  return out;
}

/** Where a reassembler charges the bytes of the message it holds (inbound-budget.ts). */
export interface ReassemblyBudget {
  take(n: number): boolean;
  give(n: number): void;
}

/** Reassembles the fragments of one connection. push() returns a whole message once its last fragment arrived. */
export class ShardReassembler {
  private parts: Uint8Array[] = [];
  private size = 0;
  /** Messages dropped for growing over the maximum (their remaining fragments are dropped too). */
  oversize = 0;
  /** Messages dropped because the budget refused their next fragment (their remaining fragments too). */
  overBudget = 0;
  private skipping = false;

  constructor(private readonly max = MAX_SHARD_MESSAGE_BYTES, private readonly budget?: ReassemblyBudget) {}

  /** One SHARD frame payload. Returns the message it completes, or undefined. Throws on an empty payload. */
  push(fragment: Uint8Array): Uint8Array | undefined {
    if (fragment.length < 1) throw new RangeError('empty SHARD fragment (no flags byte)');
    const last = (fragment[0]! & LAST) !== 0;
    const body = fragment.subarray(1);
    if (this.skipping) {
      if (last) this.skipping = false;
      return undefined;
    }
    if (this.size + body.length > this.max) {
      this.oversize++;
      this.drop(last);
      return undefined;
    }
    if (this.budget && !this.budget.take(body.length)) {
      this.overBudget++;
      this.drop(last);
      return undefined;
    }
    this.parts.push(body);
    this.size += body.length;
    if (!last) return undefined;
    const parts = this.parts;
    const size = this.size;
    this.parts = [];
    this.size = 0;
    // Handed on: from here the shard store's own limits apply (link-shard-network.ts).
    this.budget?.give(size);
    // One copy per message (none for a single fragment): the decoder already handed us our own copy of each frame.
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Bytes of an unfinished message held now. */
  get pending(): number {
    return this.size;
  }

  /** Whether a message is under way (held, or being skipped to its last fragment). */
  get partial(): boolean {
    return this.parts.length > 0 || this.skipping;
  }

  /** Drops the unfinished message (its connection closed or timed out) and returns its bytes to the budget. */
  release(): void {
    this.budget?.give(this.size);
    this.parts = [];
    this.size = 0;
    this.skipping = false;
  }

  private drop(last: boolean): void {
    this.budget?.give(this.size);
    this.parts = [];
    this.size = 0;
    this.skipping = !last;
  }
}
