/**
 * Splits one link payload (a wire frame or a compact bundle) into LoRa link frames no larger than `maxFrame`
 * (255, or less where a dwell limit caps the time on air of one frame). Fragments carry the same message number;
 * the receiver delivers only a complete set (reassembler.ts).
 */
import { MAX_FRAGMENTS, encodeLinkFrame, linkHeaderLength, type PayloadEncoding } from './link-frame.js';

export interface FragmentPlan {
  from: Uint8Array;
  to?: Uint8Array;
  encoding: PayloadEncoding;
  /** Message number used when the payload needs fragments. */
  message: number;
  maxFrame: number;
}

/** The LoRa frames for `payload`, or undefined when it needs more than MAX_FRAGMENTS frames. */
export function fragment(payload: Uint8Array, plan: FragmentPlan): Uint8Array[] | undefined {
  const unicast = plan.to !== undefined;
  const base = { type: 'data' as const, from: plan.from, to: plan.to, encoding: plan.encoding, message: plan.message & 0xff };
  if (linkHeaderLength(unicast, false) + payload.length <= plan.maxFrame) {
    return [encodeLinkFrame(unicast ? { ...base, payload } : { ...base, message: undefined, payload })];
  }
  const room = plan.maxFrame - linkHeaderLength(unicast, true);
  if (room <= 0) return undefined;
  const count = Math.ceil(payload.length / room);
  if (count > MAX_FRAGMENTS) return undefined;
  // Equal-sized fragments (the last one at most one byte shorter) spread the bytes evenly over the frames.
  const size = Math.ceil(payload.length / count);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const part = payload.subarray(i * size, Math.min(payload.length, (i + 1) * size));
    frames.push(encodeLinkFrame({ ...base, fragment: { index: i, count }, payload: part }));
  }
  return frames;
}

/** Largest payload one bundle may have on this link (MAX_FRAGMENTS full fragments). */
export function maxPayload(maxFrame: number, unicast: boolean): number {
  return Math.max(0, (maxFrame - linkHeaderLength(unicast, true)) * MAX_FRAGMENTS);
}

/** Whether a payload of `length` bytes goes out in at most MAX_FRAGMENTS frames (fragment() gives frames for it). */
export function fits(length: number, maxFrame: number, unicast: boolean): boolean {
  return linkHeaderLength(unicast, false) + length <= maxFrame || length <= maxPayload(maxFrame, unicast);
}
