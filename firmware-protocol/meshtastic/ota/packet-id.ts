/**
 * Packet ids as Router.cpp generatePacketId makes them: the low 10 bits are a rolling counter that starts at a
 * random value at boot, the high 22 bits are fresh random bits for every packet. Ids only need to be unique per
 * sender within the dedupe window (PacketHistory keys on (from, id)).
 *
 * One deliberate difference: the firmware can, once in 2^32, return 0, which means "not floodable" on the air
 * (never rebroadcast, never deduped); we draw the random half again instead.
 */
import { randomBytes } from 'node:crypto';

/** MeshTypes.h ID_COUNTER_MASK = UINT32_MAX >> 22 */
export const ID_COUNTER_MASK = 0x3ff;

/** A uniformly random uint32. */
export type RandomUint32 = () => number;

export const cryptoRandomUint32: RandomUint32 = () => randomBytes(4).readUInt32LE(0);

/** A generator with its own rolling counter (one per node, like the firmware's static). */
export function createPacketIdGenerator(random: RandomUint32 = cryptoRandomUint32): () => number {
  // random(0x7fffffff) at first use; only its low 10 bits survive the mask
  let rolling = random() & 0x7fffffff;
  return () => {
    rolling = (rolling + 1) & ID_COUNTER_MASK;
    for (;;) {
      // `random(...) << 10` in a uint32: the random value's low 22 bits become the top 22
      const id = (rolling | ((random() & 0x3fffff) << 10)) >>> 0;
      if (id !== 0) return id;
    }
  };
}
