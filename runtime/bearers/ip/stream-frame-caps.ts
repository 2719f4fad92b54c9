/**
 * The largest payload of each TCP stream frame type (stream-codec.ts), checked on the header before a byte of the
 * payload is buffered: a peer cannot make the acceptor wait for a 64 KB "HELLO" or a SHARD fragment bigger than the
 * sender ever cuts. A header over its type's cap closes the connection (`tcp-frame-too-large`). Unknown types are
 * still skipped (stream-codec.ts resyncs), so newer relays can add types that older ones ignore.
 *
 * A new frame type gets its row here; the Record type makes tsc insist.
 */
import type { StreamTypeName } from './stream-codec.js';
import { SHARD_FRAGMENT_BYTES } from './shard-fragments.js';
import { AUTH_BYTES, CHALLENGE_BYTES, TAGGED_HELLO_BYTES } from './tcp-handshake.js';
import { ACK_ENTRY_BYTES, ACK_SEQ_BYTES, MAX_ACK_ENTRIES } from './ack-codec.js';

/** `maxFrameBytes`: the largest Lattice frame this relay accepts (IpBearerOptions.maxFrameBytes). */
export function streamFrameCaps(maxFrameBytes: number): Record<StreamTypeName, number> {
  return {
    hello: TAGGED_HELLO_BYTES,
    challenge: CHALLENGE_BYTES,
    auth: AUTH_BYTES,
    data: maxFrameBytes,
    // The flags byte plus one fragment, as tcp-transport.ts sendShard cuts them.
    shard: 1 + Math.min(SHARD_FRAGMENT_BYTES, maxFrameBytes - 1),
    // A sequence number and one Lattice frame (ack-codec.ts).
    bundle: ACK_SEQ_BYTES + maxFrameBytes,
    // Only the acceptor sends ACKs; an acceptor never takes one, but the cap says how big a batch may be.
    ack: ACK_ENTRY_BYTES * MAX_ACK_ENTRIES,
  };
}
