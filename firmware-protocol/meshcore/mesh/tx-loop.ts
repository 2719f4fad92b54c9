/**
 * The transmit side of src/Dispatcher.cpp (checkSend and the send-complete branch of loop): one frame at a time,
 * taken from the queue (./tx-queue.ts) when one is due, the airtime budget (./tx-budget.ts) holds enough, and the
 * channel is free. A busy channel (RadioLibWrapper::isReceiving: a frame being received) defers the transmission by
 * Mesh::getCADFailRetryDelay (120–360 ms); after 4 s of busy channel the frame is forced (ERR_EVENT_CAD_TIMEOUT).
 * Instead of the firmware's polling loop, one timer waits for the next moment anything can change.
 */
import type { CancelTimer, TimerClock } from '../../../lib/clock/timer-clock.js';
import type { PacketRadio } from '../../../lib/lora/packet-radio.js';
import { MAX_TRANS_UNIT, encodePacket } from '../ota/packet.js';
import { CAD_FAIL_MAX_DURATION_MS, cadFailRetryDelayMs } from './mesh-timing.js';
import type { DropReason } from './recv-context.js';
import type { TxBudget } from './tx-budget.js';
import type { QueuedPacket, TxQueue } from './tx-queue.js';

export interface TxLoopOptions {
  radio: PacketRadio;
  timers: TimerClock;
  queue: TxQueue;
  budget: TxBudget;
  airtimeMs(length: number): number;
  random(): number;
  drop(reason: DropReason): void;
  /** A frame left the air after `airMs`. */
  onSent(entry: QueuedPacket, airMs: number): void;
}

export class TxLoop {
  /** Dispatcher next_tx_time. */
  private nextTxTime: number;
  private cadBusyStart: number | undefined;
  private running: Promise<void> | undefined;
  private cancelTimer: CancelTimer | undefined;
  private active = false;

  constructor(private readonly o: TxLoopOptions) {
    this.nextTxTime = o.timers.now();
  }

  start(): void {
    this.active = true;
    this.kick();
  }

  /** Stops waiting; resolves when a frame on air has finished. */
  async stop(): Promise<void> {
    this.active = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.running;
  }

  /** Something was queued, or a step ended: run now, or arm the timer for when a frame may go. */
  kick(): void {
    if (!this.active || this.running) return;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const due = this.o.queue.earliestDue();
    if (due === undefined) return;
    const now = this.o.timers.now();
    const at = Math.max(due, this.nextTxTime);
    if (at <= now) {
      this.running = this.step()
        .catch(() => this.o.drop('tx-failed'))
        .finally(() => {
          this.running = undefined;
          this.kick();
        });
    } else {
      this.cancelTimer = this.o.timers.setTimer(at - now, () => {
        this.cancelTimer = undefined;
        this.kick();
      }, { name: 'meshcore-tx' });
    }
  }

  /** Dispatcher::checkSend, then the wait for TX done. */
  private async step(): Promise<void> {
    const { radio, timers, queue, budget } = this.o;
    const now = timers.now();
    if (queue.countDue(now) === 0) return;
    const budgetWait = budget.waitBeforeSend(now, this.o.airtimeMs(MAX_TRANS_UNIT));
    if (budgetWait > 0) {
      this.nextTxTime = now + budgetWait;
      return;
    }
    let busy = false;
    try {
      busy = await radio.channelBusy();
    } catch {
      busy = false; // a radio that cannot tell is taken as free, as a radio without CAD
    }
    if (!this.active) return;
    const t = timers.now();
    if (busy) {
      if (this.cadBusyStart === undefined) this.cadBusyStart = t;
      if (t - this.cadBusyStart <= CAD_FAIL_MAX_DURATION_MS) {
        this.nextTxTime = t + cadFailRetryDelayMs(this.o.random);
        return;
      }
      // Busy for too long (the radio may be stuck): the pending transmission is forced.
      this.o.drop('cad-timeout');
    }
    this.cadBusyStart = undefined;
    const entry = queue.take(t);
    if (!entry) return;
    let raw: Uint8Array;
    try {
      raw = encodePacket(entry.packet);
    } catch {
      this.o.drop('tx-invalid');
      return;
    }
    let air: number;
    try {
      air = Math.round((await radio.transmit(raw)).airtimeMs);
    } catch {
      this.o.drop('tx-failed');
      return;
    }
    const done = timers.now();
    this.nextTxTime = done + budget.spend(done, air);
    this.o.onSent(entry, air);
  }
}
