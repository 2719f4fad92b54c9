/**
 * The acceptor's side of acknowledged bundle frames (ack-codec.ts): one writer per inbound TCP connection hands
 * each BUNDLE frame a settle callback (runtime/bearer/bearer.ts `InFrame.settle`) and writes the fates back on the
 * same connection as ACK frames. Fates settled in one event-loop turn (a vault group commit resolves hundreds of
 * bundles at once) leave in one ACK frame of up to MAX_ACK_ENTRIES entries.
 *
 * A connector that never reads its ACKs would make them pile up in this process: past `maxBacklogBytes` unsent on
 * the socket, the connection is closed (the connector's waiting sends resolve 'closed' and are retried).
 */
import type { FrameFate } from '../../bearer/bearer.js';
import { MAX_ACK_ENTRIES, encodeAcks, type Ack } from './ack-codec.js';
import { encodeStreamFrame } from './stream-codec.js';

/** The part of a net.Socket the writer uses. */
export interface AckSink {
  write(bytes: Uint8Array): unknown;
  destroy(): void;
  readonly destroyed: boolean;
  readonly writableLength: number;
}

export interface AckWriterOptions {
  /** ACK entries written (per flush), for metrics. */
  onSent?(acks: readonly Ack[]): void;
  /** The connection was closed because ACKs piled up unread. */
  onBacklog?(): void;
  /** Default 256 KiB (~50,000 unread entries). */
  maxBacklogBytes?: number;
}

export class AckWriter {
  private queue: Ack[] = [];
  private scheduled = false;

  constructor(private readonly sink: AckSink, private readonly o: AckWriterOptions = {}) {}

  /** The settle callback of the BUNDLE frame numbered `seq`: the first call writes its ACK, later calls do nothing. */
  settler(seq: number): (fate: FrameFate) => void {
    let settled = false;
    return (fate) => {
      if (settled) return;
      settled = true;
      this.add({ seq, fate });
    };
  }

  private add(ack: Ack): void {
    if (this.sink.destroyed) return; // the connector learns of it from the closed connection
    this.queue.push(ack);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const acks = this.queue;
    this.queue = [];
    if (this.sink.destroyed || acks.length === 0) return;
    for (let i = 0; i < acks.length; i += MAX_ACK_ENTRIES) {
      const batch = acks.slice(i, i + MAX_ACK_ENTRIES);
      this.sink.write(encodeStreamFrame('ack', encodeAcks(batch)));
      this.o.onSent?.(batch);
    }
    if (this.sink.writableLength > (this.o.maxBacklogBytes ?? 256 * 1024)) {
      this.o.onBacklog?.();
      this.sink.destroy();
    }
  }
}
