/** Test support: MeshMetrics that count everything, for assertions. */
import type { MeshDropReason, MeshEvent, MeshMetrics } from '../mesh-metrics.js';

export class RecordingMetrics implements MeshMetrics {
  readonly events = new Map<MeshEvent, number>();
  readonly drops = new Map<MeshDropReason, number>();

  inc(event: MeshEvent): void {
    this.events.set(event, (this.events.get(event) ?? 0) + 1);
  }

  dropped(reason: MeshDropReason): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  count(event: MeshEvent): number {
    return this.events.get(event) ?? 0;
  }

  drop(reason: MeshDropReason): number {
    return this.drops.get(reason) ?? 0;
  }
}

/** A deterministic RandomSource (xorshift32) for tests. */
export function seededRandom(seed = 0x12345678): (max: number) => number {
  let s = seed >>> 0 || 1;
  return (max) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return max <= 0 ? 0 : s % max;
  };
}
