/**
 * Holder reputation, 0..100. New peers start at `initial`; an answered challenge or a good fetch adds `reward`, a
 * wrong or late answer (the seed protocol's 5 s) or a shard that fails its hash takes `penalty`. Peers below
 * `exclusionBelow` get no new shards (issue 8: "below 20 excluded from placement"). A low score creeps back toward
 * `initial` by `recoverPerHour`: an excluded relay holds nothing any more, so no challenge could ever clear it, and a
 * relay that had a bad day (a dying SD card, since replaced) should be trusted again eventually, slowly.
 * Scores persist in the store as [score, since].
 */
import type { ShardStore } from './shard-store.js';

export interface ReputationPolicy {
  initial: number;
  reward: number;
  penalty: number;
  exclusionBelow: number;
  recoverPerHour: number;
}

export const DEFAULT_REPUTATION: ReputationPolicy = { initial: 60, reward: 2, penalty: 25, exclusionBelow: 20, recoverPerHour: 1 };

export class Reputation {
  private readonly scores = new Map<string, [number, number]>();

  constructor(private readonly store: ShardStore, private readonly policy: ReputationPolicy = DEFAULT_REPUTATION, private readonly now: () => number = Date.now) {}

  score(peer: string): number {
    let entry = this.scores.get(peer);
    if (entry === undefined) {
      const saved = this.store.reputationOf(peer);
      entry = Array.isArray(saved) ? [saved[0], saved[1]] : [this.policy.initial, this.now()];
      this.scores.set(peer, entry);
    }
    const [s, since] = entry;
    if (s >= this.policy.initial) return s;
    const hours = Math.floor((this.now() - since) / 3_600_000);
    return Math.min(this.policy.initial, s + hours * this.policy.recoverPerHour);
  }

  eligible(peer: string): boolean {
    return this.score(peer) >= this.policy.exclusionBelow;
  }

  reward(peer: string): void {
    this.set(peer, this.score(peer) + this.policy.reward);
  }

  punish(peer: string): void {
    this.set(peer, this.score(peer) - this.policy.penalty);
  }

  all(): Map<string, number> {
    return new Map([...this.scores.keys()].map((p) => [p, this.score(p)]));
  }

  private set(peer: string, s: number): void {
    const v = Math.max(0, Math.min(100, s));
    const entry: [number, number] = [v, this.now()];
    this.scores.set(peer, entry);
    void this.store.setReputation(peer, entry);
  }
}
