/**
 * The send pump: one packet in flight at a time, because the radio confirms each with a QueueStatus carrying its
 * `mesh_packet_id` (MeshService::sendToMesh) and buffers only 2 QueueStatus for the client
 * (MAX_RX_QUEUESTATUS_TOPHONE).
 *
 * - Flow control: when the last QueueStatus said `free == 0`, wait; the firmware sends a fresh QueueStatus when
 *   its TX queue drains (MeshService::loop) and answers heartbeats with one.
 * - Text pacing: PhoneAPI::handleToRadioPacket drops a TEXT_MESSAGE_APP packet that arrives < 2 s after the last
 *   accepted one and answers QueueStatus(res=0!) + Routing RATE_LIMIT_EXCEEDED. Texts therefore wait here until
 *   `textIntervalMs` after the previous one; should the radio still refuse (clock skew, another client), the text is
 *   retried after another interval, never dropped.
 * - Because that QueueStatus says res=0 either way, a text is only `accepted` after a barrier: a heartbeat sent
 *   after its QueueStatus is answered after the RATE_LIMIT_EXCEEDED packet would have been written.
 * - The radio silently ignores a packet id it saw in its last 20 (PhoneAPI::wasSeenRecently). If no QueueStatus
 *   comes but a heartbeat is answered, the radio already had the packet: it counts as accepted.
 */
import { Mesh } from '@meshtastic/protobufs';
import { fromBinary } from '@bufbuild/protobuf';
import { MeshtasticAbortError, MeshtasticSendRejectedError, MeshtasticTimeoutError } from './errors.js';
import { buildMeshPacket, heartbeatToRadio, packetToRadio, queueStatusResName, type OutgoingPacket } from './messages.js';
import { createWaiter, delay, type Waiter } from './wait.js';
import type { Clock } from '../../lib/clock/clock.js';
import { Portnums } from '@meshtastic/protobufs';

/** firmware MeshService.cpp: ERRNO_UNKNOWN returned by RadioLibInterface::send when the TX queue is full. */
const ERRNO_QUEUE_FULL = 32;
/** A radio whose queue never drains is stuck; give the packet back to the caller after this many refusals. */
const MAX_QUEUE_FULL_RETRIES = 20;

export interface OutboxItem {
  packet: Omit<OutgoingPacket, 'id'>;
  /** Packet id for attempt n (0 first); a retry after a refusal needs a fresh id (the radio remembers refused ids). */
  idFor(attempt: number): number;
  signal?: AbortSignal;
  resolve(result: SendAccepted): void;
  reject(err: Error): void;
}

export interface SendAccepted {
  id: number;
  /** `duplicate`: the radio had already taken this packet id (a resend after reconnect). */
  how: 'queued' | 'duplicate';
  /** Attempts the radio refused for rate limiting or a full queue before taking it. */
  retries: number;
}

export interface OutboxEvent {
  kind: 'queueStatus';
  qs: Mesh.QueueStatus;
}
export interface OutboxRouting {
  kind: 'routing';
  requestId: number;
  code: number;
}
type Feed = OutboxEvent | OutboxRouting;

export interface OutboxOptions {
  write(bytes: Uint8Array): Promise<void>;
  textIntervalMs: number;
  queueStatusTimeoutMs: number;
  barrierTimeoutMs: number;
  /** Poll interval while the radio's TX queue is full. */
  fullPollMs: number;
  now(): number;
  /** Paces run on it. */
  clock: Clock;
  /** Reply deadlines run on it. */
  timeouts: Clock;
  onRateLimitWait(ms: number): void;
  onRateLimitRejected(): void;
  /** The radio stopped answering: the session closes the link. */
  onDead(err: Error): void;
}

export class Outbox {
  private readonly queue: OutboxItem[] = [];
  private running = false;
  private paused = true;
  private lastTextAt = -Infinity;
  private waiters = new Set<Waiter<Feed, unknown>>();
  private stopper = new AbortController();
  /** Last QueueStatus seen (free/maxlen); maxlen 16 = MAX_TX_QUEUE until the radio says otherwise. */
  lastQueueStatus: { free: number; maxlen: number } = { free: 16, maxlen: 16 };

  constructor(private readonly o: OutboxOptions) {}

  get depth(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  enqueue(item: OutboxItem): void {
    this.queue.push(item);
    this.kick();
  }

  /** Sending allowed (session ready). */
  resume(): void {
    this.paused = false;
    this.kick();
  }

  pause(): void {
    this.paused = true;
  }

  feedQueueStatus(qs: Mesh.QueueStatus): void {
    this.lastQueueStatus = { free: qs.free, maxlen: qs.maxlen || this.lastQueueStatus.maxlen };
    this.offer({ kind: 'queueStatus', qs });
  }

  feedRouting(packet: Mesh.MeshPacket): void {
    if (packet.payloadVariant.case !== 'decoded') return;
    const d = packet.payloadVariant.value;
    if (d.portnum !== Portnums.PortNum.ROUTING_APP || !d.requestId) return;
    let code = 0;
    try {
      const r = fromBinary(Mesh.RoutingSchema, d.payload);
      code = r.variant.case === 'errorReason' ? r.variant.value : 0;
    } catch {
      return;
    }
    this.offer({ kind: 'routing', requestId: d.requestId >>> 0, code });
  }

  /** Rejects everything queued and in flight (link lost, stop). */
  rejectAll(err: Error): void {
    for (const w of this.waiters) w.fail(err);
    this.waiters.clear();
    this.stopper.abort(err);
    this.stopper = new AbortController();
    for (const item of this.queue.splice(0)) item.reject(err);
  }

  private offer(e: Feed): void {
    for (const w of [...this.waiters]) if (w.offer(e)) this.waiters.delete(w);
  }

  private wait<R>(what: string, match: (e: Feed) => R | undefined, timeoutMs: number | undefined, signal: AbortSignal): Waiter<Feed, R> {
    const w = createWaiter<Feed, R>(what, match, { timeoutMs, signal, clock: this.o.timeouts });
    this.waiters.add(w as Waiter<Feed, unknown>);
    void w.promise.then(() => this.waiters.delete(w as Waiter<Feed, unknown>), () => this.waiters.delete(w as Waiter<Feed, unknown>));
    return w;
  }

  private kick(): void {
    if (this.running || this.paused || this.queue.length === 0) return;
    this.running = true;
    void this.pump().finally(() => {
      this.running = false;
      this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (!this.paused && this.queue.length > 0) {
      const item = this.queue.shift()!;
      const stop = this.stopper.signal;
      const signal = item.signal ? AbortSignal.any([stop, item.signal]) : stop;
      try {
        item.resolve(await this.sendOne(item, signal));
      } catch (err) {
        // After rejectAll() the item learns why the outbox stopped, not merely that a wait was aborted.
        item.reject(stop.aborted && !item.signal?.aborted ? (stop.reason as Error) : (err as Error));
        if (stop.aborted) return;
      }
    }
  }

  private async sendOne(item: OutboxItem, signal: AbortSignal): Promise<SendAccepted> {
    const isText = item.packet.portnum === Portnums.PortNum.TEXT_MESSAGE_APP;
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      if (isText) {
        const wait = this.lastTextAt + this.o.textIntervalMs - this.o.now();
        if (wait > 0) {
          this.o.onRateLimitWait(wait);
          await delay(wait, 'the 2 s text rate limit of the radio', signal, this.o.clock);
        }
      }
      while (this.lastQueueStatus.free === 0) {
        // Poll with a heartbeat; MeshService::loop also volunteers a QueueStatus once space frees.
        const w = this.wait('free space in the radio TX queue', (e) => (e.kind === 'queueStatus' && e.qs.free > 0 ? true : undefined), this.o.fullPollMs, signal);
        await this.o.write(heartbeatToRadio());
        await w.promise.catch((err: Error) => {
          if (err.name !== 'MeshtasticTimeoutError') throw err;
        });
      }
      const id = item.idFor(attempt) >>> 0;
      const qsWait = this.wait(
        `QueueStatus for packet 0x${id.toString(16)}`,
        (e) => (e.kind === 'queueStatus' && e.qs.meshPacketId >>> 0 === id ? e.qs : undefined),
        this.o.queueStatusTimeoutMs,
        signal,
      );
      const sentAt = this.o.now();
      try {
        await this.o.write(packetToRadio(buildMeshPacket({ ...item.packet, id })));
      } catch (err) {
        qsWait.fail(err as Error);
        throw err;
      }
      let qs: Mesh.QueueStatus;
      try {
        qs = await qsWait.promise;
      } catch (err) {
        if ((err as Error).name !== 'MeshtasticTimeoutError') throw err;
        // No QueueStatus: either the radio is gone or it ignored an id it already had.
        if (await this.heartbeatAnswered(signal)) {
          if (isText) this.lastTextAt = sentAt;
          return { id, how: 'duplicate', retries: attempt };
        }
        const dead = new MeshtasticTimeoutError(`any answer from the radio after packet 0x${id.toString(16)}`, this.o.queueStatusTimeoutMs + this.o.barrierTimeoutMs);
        this.o.onDead(dead);
        throw dead;
      }
      if (qs.res === ERRNO_QUEUE_FULL && qs.free === 0 && attempt < MAX_QUEUE_FULL_RETRIES) {
        this.lastQueueStatus.free = 0;
        continue;
      }
      if (qs.res !== 0) throw new MeshtasticSendRejectedError(id, qs.res, queueStatusResName(qs.res, qs.free));
      if (!isText) return { id, how: 'queued', retries: attempt };
      // Barrier: was this text refused by the radio's rate limit?
      const verdict = this.wait<'limited' | 'ok'>(
        `heartbeat answer after text 0x${id.toString(16)}`,
        (e) => {
          if (e.kind === 'routing' && e.requestId === id && e.code === Mesh.Routing_Error.RATE_LIMIT_EXCEEDED) return 'limited';
          if (e.kind === 'queueStatus' && e.qs.meshPacketId === 0) return 'ok';
          return undefined;
        },
        this.o.barrierTimeoutMs,
        signal,
      );
      await this.o.write(heartbeatToRadio());
      // Firmware without heartbeat support never answers; then the QueueStatus alone has to do.
      const v = await verdict.promise.catch((err: Error) => {
        if (err.name === 'MeshtasticTimeoutError') return 'ok' as const;
        throw err;
      });
      this.lastTextAt = sentAt;
      if (v === 'ok') return { id, how: 'queued', retries: attempt };
      this.o.onRateLimitRejected();
    }
  }

  private async heartbeatAnswered(signal: AbortSignal): Promise<boolean> {
    const w = this.wait('heartbeat QueueStatus', (e) => (e.kind === 'queueStatus' && e.qs.meshPacketId === 0 ? true : undefined), this.o.barrierTimeoutMs, signal);
    await this.o.write(heartbeatToRadio());
    try {
      return await w.promise;
    } catch (err) {
      if (err instanceof MeshtasticAbortError) throw err;
      if ((err as Error).name === 'MeshtasticTimeoutError') return false;
      throw err;
    }
  }
}
