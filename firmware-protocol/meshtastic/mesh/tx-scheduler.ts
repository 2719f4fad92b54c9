/**
 * When a queued packet goes on air (firmware src/mesh/RadioLibInterface.cpp onNotify TRANSMIT_DELAY_COMPLETED,
 * setTransmitDelay, startTransmitTimer(Rebroadcast), clampToLateRebroadcastWindow, removePendingTXPacket,
 * completeSending). One packet on air at a time; before each, a random wait from the contention window and a CAD; a
 * busy channel draws a new wait. A frame heard or sent restarts the wait (the firmware's ISR notification overwrites
 * the pending TX-delay notification, and the handler draws a new one).
 */
import type { CancelTimer, TimerClock } from '../../../lib/clock/timer-clock.js';
import type { RandomSource } from './contention.js';
import { txDelayMs, txDelayWeightedMs, txDelayWeightedWorstMs } from './contention.js';
import type { MeshMetrics } from './mesh-metrics.js';
import type { MeshRadio } from './mesh-radio.js';
import type { MeshRole } from './role.js';
import { TxQueue, type QueuedPacket } from './tx-queue.js';

export interface TxSchedulerOptions {
  radio: MeshRadio;
  timers: TimerClock;
  role: MeshRole;
  slotMs: number;
  random: RandomSource;
  channelUtilization: () => number;
  metrics: MeshMetrics;
  /** After a frame left the air (or the radio failed: `airtimeMs` undefined). */
  onSent: (q: QueuedPacket, airtimeMs: number | undefined) => void;
  queueLength?: number;
}

export class TxScheduler {
  readonly queue: TxQueue;
  private timer: CancelTimer | undefined;
  private sending: QueuedPacket | undefined;
  private scanning = false;
  private running = false;

  constructor(private readonly o: TxSchedulerOptions) {
    this.queue = new TxQueue(o.queueLength);
  }

  start(): void {
    this.running = true;
    this.setTransmitDelay();
  }

  stop(): void {
    this.running = false;
    this.cancelTimer();
  }

  get busy(): boolean {
    return this.sending !== undefined;
  }

  /** RadioLibInterface::send: queue it and arm the TX timer if none is armed. False when the queue is full. */
  send(q: QueuedPacket): boolean {
    const r = this.queue.enqueue(q, this.o.timers.now());
    if (r.full) this.o.metrics.dropped('queue-full'); // either q itself or the lower-priority packet it displaced
    if (!r.ok) return false;
    this.setTransmitDelay();
    return true;
  }

  cancel(from: number, id: number): boolean {
    return this.queue.remove(from, id) !== undefined;
  }

  find(from: number, id: number): boolean {
    return this.queue.find(from, id) !== undefined;
  }

  /** RadioLibInterface::removePendingTXPacket: drop a queued copy with fewer hops left than `hopLimitLt`. */
  removePending(from: number, id: number, hopLimitLt: number): boolean {
    return this.queue.remove(from, id, true, true, hopLimitLt) !== undefined;
  }

  /** RadioLibInterface::clampToLateRebroadcastWindow (ROUTER_LATE hearing someone else relay it first). */
  clampToLate(from: number, id: number): void {
    const q = this.queue.remove(from, id, true, false);
    if (!q) return;
    q.txAfter = this.o.timers.now() + txDelayWeightedWorstMs(q.rxSnr, this.o.slotMs);
    const r = this.queue.enqueue(q, this.o.timers.now());
    if (r.full) this.o.metrics.dropped('queue-full');
  }

  /** A frame was received: the radio's RX interrupt replaces the pending delay with a fresh one (ISR_RX). */
  frameHeard(): void {
    if (!this.running) return;
    this.cancelTimer();
    this.setTransmitDelay();
  }

  private cancelTimer(): void {
    this.timer?.();
    this.timer = undefined;
  }

  /** NotifiedWorkerThread::notifyLater(…, overwrite=false): a timer already armed stays as it is. */
  private notifyLater(ms: number): void {
    if (this.timer || !this.running) return;
    this.timer = this.o.timers.setTimer(Math.max(0, ms), () => {
      this.timer = undefined;
      void this.delayCompleted();
    }, { name: 'mesh-tx' });
  }

  private txDelay(): number {
    return txDelayMs(this.o.slotMs, this.o.channelUtilization(), this.o.random);
  }

  private weighted(q: QueuedPacket): number {
    return txDelayWeightedMs(this.o.role, q.rxSnr, this.o.slotMs, this.o.random);
  }

  /** RadioLibInterface::setTransmitDelay. */
  private setTransmitDelay(): void {
    const q = this.queue.front();
    if (!q) return;
    const now = this.o.timers.now();
    if (q.txAfter) {
      const add = q.rxRssi ? this.weighted(q) : this.txDelay();
      q.txAfter = Math.min(Math.max(q.txAfter + add, now + add), now + 2 * txDelayWeightedWorstMs(q.rxSnr, this.o.slotMs));
      this.notifyLater(q.txAfter - now);
    } else if (q.rxSnr === 0 && q.rxRssi === 0) {
      this.notifyLater(this.txDelay()); // generated here
    } else {
      this.notifyLater(this.weighted(q)); // a rebroadcast: SNR-weighted
    }
  }

  /** onNotify(TRANSMIT_DELAY_COMPLETED). */
  private async delayCompleted(): Promise<void> {
    if (!this.running || this.queue.length === 0 || this.scanning) return;
    if (this.sending) {
      this.setTransmitDelay(); // busyTx: draw again
      return;
    }
    const front = this.queue.front()!;
    const remaining = front.txAfter ? front.txAfter - this.o.timers.now() : 0;
    if (remaining > 0) {
      this.notifyLater(remaining);
      return;
    }
    this.scanning = true;
    let busy: boolean;
    try {
      busy = await this.o.radio.channelBusy();
    } catch {
      busy = true; // a failed CAD is treated as a busy channel: try again later
    } finally {
      this.scanning = false;
    }
    if (!this.running) return;
    if (busy) {
      this.o.metrics.inc('channel-busy');
      this.cancelTimer();
      this.setTransmitDelay();
      return;
    }
    if (this.sending) return;
    const tx = this.queue.dequeue();
    if (!tx) return;
    void this.startSend(tx);
  }

  /** startSend + completeSending. */
  private async startSend(q: QueuedPacket): Promise<void> {
    this.sending = q;
    let airtimeMs: number | undefined;
    try {
      airtimeMs = (await this.o.radio.transmit(q.frame)).airtimeMs;
    } catch {
      airtimeMs = undefined;
    }
    this.sending = undefined;
    this.o.onSent(q, airtimeMs);
    if (!this.running) return;
    // ISR_TX: the pending notification is replaced; draw a new delay for what is queued.
    this.cancelTimer();
    this.setTransmitDelay();
  }
}
