/**
 * Packet ids as the firmware makes them (src/mesh/Router.cpp generatePacketId): a rolling 10-bit counter started at a
 * random value, under 22 random bits. Ids only need to be unique per sender within the dedupe window.
 */
import type { RandomSource } from './contention.js';

const ID_COUNTER_MASK = 0x3ff;

export function packetIdGenerator(random: RandomSource): () => number {
  let rolling = random(0x7fffffff);
  return () => {
    for (;;) {
      rolling = (rolling + 1) & ID_COUNTER_MASK;
      const id = (rolling | (random(0x7fffffff) << 10)) >>> 0;
      if (id !== 0) return id; // 0 means "not floodable" on air: never hand it out
    }
  };
}
