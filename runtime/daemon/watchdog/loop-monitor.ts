/**
 * LoopMonitor: is the event loop turning? A heartbeat timer ticks every `intervalMs` (30 s by default: an idle
 * relay holds no timer shorter than that, runtime/daemon/idle-timers.test.ts; under a systemd watchdog the daemon
 * ticks at half its period if that is shorter); a tick that comes late by
 * `stallMs` or more means the loop was blocked that long (a synchronous loop, a wedged native call), and no tick for
 * `stallMs` means it is blocked now. The health answer (GET /health, the Docker/balena HEALTHCHECK) is "stalled"
 * while either happened within the last `windowMs`; a loop blocked for good cannot answer at all, and the
 * healthcheck's own timeout reports that. Each tick also drives the systemd watchdog ping (sd-notify.ts), so a
 * stalled loop stops pinging and systemd restarts the relay after WatchdogSec.
 * Real timers on purpose: what is measured is the real event loop.
 */
export interface LoopHealth {
  ok: boolean;
  /** Since the last heartbeat, ms. */
  lastTickAgoMs: number;
  /** Longest heartbeat delay within the window, ms. */
  maxLagMs: number;
  stallMs: number;
}

export interface LoopMonitorInit {
  /** Heartbeat period (default 30 s). */
  intervalMs?: number;
  /** A delay this long is a stall (default 10 s). */
  stallMs?: number;
  /** How long a past stall keeps the health "stalled" (default 90 s: three Docker healthcheck periods). */
  windowMs?: number;
  /** Runs on every heartbeat (the systemd watchdog ping). */
  onTick?: () => void;
  /** Called once per stall seen (after the loop turned again). */
  onStall?: (lagMs: number) => void;
  now?: () => number;
}

export class LoopMonitor {
  readonly intervalMs: number;
  readonly stallMs: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private lastTick = 0;
  /** [when, lag] of the ticks that came late by a stall, newest last. */
  private stalls: Array<[number, number]> = [];

  constructor(private readonly init: LoopMonitorInit = {}) {
    this.intervalMs = init.intervalMs ?? 30_000;
    this.stallMs = init.stallMs ?? 10_000;
    this.windowMs = init.windowMs ?? 90_000;
    this.now = init.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.lastTick = this.now();
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One heartbeat (the timer's; public for tests that drive time themselves). */
  beat(): void {
    const now = this.now();
    const lag = now - this.lastTick - this.intervalMs;
    this.lastTick = now;
    if (lag >= this.stallMs) {
      this.stalls.push([now, lag]);
      this.init.onStall?.(lag);
    }
    this.init.onTick?.();
  }

  health(): LoopHealth {
    const now = this.now();
    this.stalls = this.stalls.filter(([at]) => now - at < this.windowMs);
    const lastTickAgoMs = now - this.lastTick;
    const maxLagMs = Math.max(0, ...this.stalls.map(([, lag]) => lag));
    return { ok: lastTickAgoMs < this.stallMs + this.intervalMs && this.stalls.length === 0, lastTickAgoMs, maxLagMs, stallMs: this.stallMs };
  }
}
