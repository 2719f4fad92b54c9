/**
 * lattice-serial codec: SLIP-framed CBOR arrays (PROTOCOL.md). Pure and incremental:
 * `encodeMessage(msg)` -> bytes; `new LatticeSerialDecoder().push(chunk)` -> decoded events.
 * Byte strings are plain CBOR major type 2 (cbor-x with tagUint8Array off), integers are CBOR unsigned/negative ints.
 */
import { Encoder } from 'cbor-x';
import { checkShape, type BridgeMessage } from './messages.js';
import { SlipDecoder, slipEncode } from './slip.js';

export const MAX_FRAME = 600;

const cbor = new Encoder({ tagUint8Array: false, useRecords: false, mapsAsObjects: true });

export function encodeMessage(msg: BridgeMessage): Uint8Array {
  const body = cbor.encode(msg);
  if (body.length > MAX_FRAME) throw new RangeError(`lattice-serial frame of ${body.length} bytes exceeds ${MAX_FRAME}`);
  return slipEncode(body);
}

/** What the decoder yields: a checked message, or a frame it could not use (so a firmware can answer BadFrame/UnknownType). */
export type DecodedEvent =
  | { kind: 'message'; message: BridgeMessage }
  | { kind: 'invalid'; reason: 'cbor' | 'not-array' | 'unknown-type' | 'bad-fields'; type?: number; seq?: number };

export class LatticeSerialDecoder {
  private readonly slip = new SlipDecoder(MAX_FRAME);
  /** Frames dropped for bad CBOR or bad shape (SLIP-level drops are in slipDiscards). */
  invalidFrames = 0;

  get slipDiscards() {
    return this.slip.discards;
  }

  push(chunk: Uint8Array): DecodedEvent[] {
    const out: DecodedEvent[] = [];
    for (const frame of this.slip.push(chunk)) {
      let value: unknown;
      try {
        value = cbor.decode(frame);
      } catch {
        this.invalidFrames++;
        out.push({ kind: 'invalid', reason: 'cbor' });
        continue;
      }
      const r = checkShape(value);
      if (r.ok) out.push({ kind: 'message', message: r.message });
      else {
        this.invalidFrames++;
        out.push({ kind: 'invalid', reason: r.reason, type: r.type, seq: r.seq });
      }
    }
    return out;
  }
}

/** The codec object the driver-side serial HAL takes by injection (drivers/ may not import this layer). */
export const latticeSerialCodec = {
  encode: encodeMessage,
  createDecoder: () => new LatticeSerialDecoder(),
};
