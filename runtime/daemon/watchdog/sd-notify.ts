/**
 * The systemd notify protocol (sd_notify(3)) for `Type=notify` units with `WatchdogSec=`: READY=1 once the relay
 * runs, WATCHDOG=1 every half watchdog period from the event loop (LoopMonitor's heartbeat), STOPPING=1 on stop.
 *
 * How the datagram is sent: NOTIFY_SOCKET is a unix DATAGRAM socket and Node has none (dgram is UDP only, net is
 * stream only), and a native addon for one sendmsg() is not worth a build on every board. So the message goes
 * through the `systemd-notify` CLI, a child process: `systemd-notify --pid=<our pid> WATCHDOG=1`. Since systemd 246
 * it waits until the manager processed the message (BARRIER=1), so the message is not lost to the race of a
 * short-lived sender; the unit must say `NotifyAccess=all` (the sender is our child, not the main pid). One spawn
 * per half watchdog period (30 s with the unit's WatchdogSec=60) costs a few ms of CPU on a Zero 2 W.
 * Without NOTIFY_SOCKET (not under systemd) nothing is sent; with WATCHDOG_PID naming another process no pings.
 */
import { execFile } from 'node:child_process';

export interface SdNotifyInit {
  env?: NodeJS.ProcessEnv;
  /** The CLI (default `systemd-notify`). */
  command?: string;
  /** Extra arguments before the assignments (tests: `--no-block` against a receiver that does not answer barriers). */
  args?: string[];
  onError?: (err: Error, state: string) => void;
}

export class SdNotify {
  readonly enabled: boolean;
  /** Ping period (half of WATCHDOG_USEC), undefined when systemd asked for no watchdog. */
  readonly watchdogIntervalMs?: number;
  private readonly command: string;
  private readonly args: string[];
  private readonly onError: (err: Error, state: string) => void;
  private lastPing = 0;
  private inFlight = false;

  constructor(init: SdNotifyInit = {}) {
    const env = init.env ?? process.env;
    this.enabled = Boolean(env.NOTIFY_SOCKET);
    const usec = Number(env.WATCHDOG_USEC);
    const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === process.pid;
    if (this.enabled && forUs && Number.isFinite(usec) && usec > 0) this.watchdogIntervalMs = usec / 2000;
    this.command = init.command ?? 'systemd-notify';
    this.args = init.args ?? [];
    this.onError = init.onError ?? (() => undefined);
  }

  ready(): Promise<void> {
    return this.send('READY=1');
  }

  stopping(): Promise<void> {
    return this.send('STOPPING=1');
  }

  /** Sends WATCHDOG=1 if half a watchdog period passed since the last one (call it from the event loop). */
  tick(now = Date.now()): void {
    if (this.watchdogIntervalMs === undefined || this.inFlight || now - this.lastPing < this.watchdogIntervalMs) return;
    this.lastPing = now;
    this.inFlight = true;
    void this.send('WATCHDOG=1').finally(() => (this.inFlight = false));
  }

  private send(state: string): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    return new Promise((resolve) => {
      execFile(this.command, [...this.args, `--pid=${process.pid}`, state], { timeout: 10_000 }, (err) => {
        if (err) this.onError(err, state);
        resolve();
      });
    });
  }
}
