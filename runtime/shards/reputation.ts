/**
 * Holder reputation, 0..100. New peers start at `initial`; an answered challenge or a good fetch adds `reward`, a
 * wrong or late answer (the seed protocol's 5 s) or a shard that fails its hash takes `penalty`. Peers below
 * `exclusionBelow` get no new shards (issue 8: "below 20 excluded from placement"). Scores persist in the store.
 */
import type { ShardStore } from './shard-store.js';

export interface ReputationPolicy {
  initial: number;
  reward: number;
  penalty: number;
  exclusionBelow: number;
}

export const DEFAULT_REPUTATION: ReputationPolicy = { initial: 60, reward: 2, penalty: 25, exclusionBelow: 20 };

export class Reputation {
  private readonly scores = new Map<string, number>();

  constructor(private readonly store: ShardStore, private readonly policy: ReputationPolicy = DEFAULT_REPUTATION) {}

  score(peer: string): number {
    let s = this.scores.get(peer);
    if (s === undefined) {
      s = this.store.reputationOf(peer) ?? this.policy.initial;
      this.scores.set(peer, s);
    }
    return s;
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
    return new Map(this.scores);
  }

  private set(peer: string, s: number): void {
    const v = Math.max(0, Math.min(100, s));
    if (v === this.scores.get(peer)) return;
    this.scores.set(peer, v);
    void this.store.setReputation(peer, v);
  }
}
