/**
 * DeafWatchdog: notices a radio that has heard nothing for far longer than its channel's history says it should.
 * Operators of solar relays report daemons that run but are deaf (a chip that reset on its own, a wedged RX after
 * weeks: MeshCore#2096, meshtasticd#9580); nothing fails, the relay just stops hearing.
 *
 * The estimate: an exponentially weighted mean of the gaps between received frames (any frame the radio delivered,
 * CRC errors included: those prove the receiver works). Once `minFrames` frames were heard (the channel was busy),
 * a silence longer than max(factor × mean gap, floorMs) is deafness. After a re-initialisation the threshold doubles
 * (up to 8×) until a frame is heard again, so a channel that really went quiet (the neighbours are gone) costs one
 * re-initialisation per doubling period, not one per check.
 */
export interface DeafWatchdogOptions {
  /** Silence counted as deaf, in mean gaps (default 10). */
  factor?: number;
  /** Never deaf before this much silence, ms (default 15 min: a quiet mesh at night is not a deaf radio). */
  floorMs?: number;
  /** Frames needed before the channel counts as busy (default 8). */
  minFrames?: number;
  /** Weight of the newest gap in the mean (default 0.1). */
  alpha?: number;
}

const MAX_BACKOFF = 8;

export class DeafWatchdog {
  private readonly factor: number;
  private readonly floorMs: number;
  private readonly minFrames: number;
  private readonly alpha: number;
  private frames = 0;
  private lastHeard?: number;
  private meanGap?: number;
  private backoff = 1;

  constructor(options: DeafWatchdogOptions = {}) {
    this.factor = options.factor ?? 10;
    this.floorMs = options.floorMs ?? 15 * 60_000;
    this.minFrames = options.minFrames ?? 8;
    this.alpha = options.alpha ?? 0.1;
  }

  /** A frame was received at `at` (ms). */
  heard(at: number): void {
    if (this.lastHeard !== undefined) {
      const gap = Math.max(0, at - this.lastHeard);
      this.meanGap = this.meanGap === undefined ? gap : this.meanGap + this.alpha * (gap - this.meanGap);
    }
    this.lastHeard = at;
    this.frames++;
    this.backoff = 1;
  }

  /** Silence after which the radio counts as deaf now, or undefined while the channel's history is too short. */
  thresholdMs(): number | undefined {
    if (this.frames < this.minFrames || this.meanGap === undefined) return undefined;
    return Math.max(this.factor * this.meanGap, this.floorMs) * this.backoff;
  }

  /** How long the radio has been silent beyond its threshold at `at`: > 0 means deaf. */
  deafFor(at: number): number {
    const threshold = this.thresholdMs();
    if (threshold === undefined || this.lastHeard === undefined) return 0;
    return Math.max(0, at - this.lastHeard - threshold);
  }

  /** The radio was re-initialised at `at`: wait a doubled threshold before the next try. */
  restarted(at: number): void {
    this.lastHeard = at;
    this.backoff = Math.min(MAX_BACKOFF, this.backoff * 2);
  }

  snapshot(): { frames: number; meanGapMs?: number; lastHeard?: number; thresholdMs?: number } {
    const t = this.thresholdMs();
    return { frames: this.frames, ...(this.meanGap !== undefined ? { meanGapMs: Math.round(this.meanGap) } : {}), ...(this.lastHeard !== undefined ? { lastHeard: this.lastHeard } : {}), ...(t !== undefined ? { thresholdMs: Math.round(t) } : {}) };
  }
}
