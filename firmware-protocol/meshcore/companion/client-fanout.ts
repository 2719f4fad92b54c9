/**
 * Fan-out of the companion device's frames to its clients: what MyMesh (examples/companion_radio/MyMesh.cpp) sends
 * to its one app connection goes here to every attached Session (./companion-session.ts). Pushes go to all attached
 * clients; received messages go into each client's offline queue (addToOfflineQueue) followed by
 * PUSH_CODE_MSG_WAITING, or into a backlog handed to the next client when none is attached.
 */
import { PUSH, RESP } from '../codes.js';
import type { CompanionMetrics } from './companion-metrics.js';
import type { Session } from './companion-session.js';

export class ClientFanout {
  readonly sessions = new Set<Session>();
  /** Frames that arrived while no client was attached: handed to the next client that attaches. */
  backlog: Uint8Array[] = [];

  /** `queueSize`: OFFLINE_QUEUE_SIZE of the build. */
  constructor(private readonly queueSize: () => number, private readonly metrics: CompanionMetrics | undefined) {}

  /** A new client: the backlog is its queue if it is the only one. */
  add(s: Session): void {
    if (this.sessions.size === 0 && this.backlog.length > 0) {
      s.queue.push(...this.backlog);
      this.backlog = [];
    }
    this.sessions.add(s);
  }

  delete(s: Session): boolean {
    return this.sessions.delete(s);
  }

  /** A push (0x80–0x90) to every attached client; none attached = not "connected", nothing to do. */
  push(frame: Uint8Array): void {
    for (const s of this.sessions) s.write(frame);
  }

  /** MyMesh::addToOfflineQueue for every client (or the backlog), then PUSH_CODE_MSG_WAITING to all. */
  queueForClients(build: (v3: boolean) => Uint8Array): void {
    this.metrics?.messageQueued?.();
    if (this.sessions.size === 0) {
      this.addToQueue(this.backlog, build(false));
      return;
    }
    for (const s of this.sessions) {
      this.addToQueue(s.queue, build(s.appTargetVer >= 3));
      s.write(Uint8Array.of(PUSH.MSG_WAITING));
    }
  }

  /** addToOfflineQueue: when full, the oldest channel message makes room; a full queue of DMs drops the new one. */
  private addToQueue(q: Uint8Array[], frame: Uint8Array): void {
    if (q.length < this.queueSize()) {
      q.push(frame);
      return;
    }
    const i = q.findIndex((x) => x[0] === RESP.CHANNEL_MSG_RECV || x[0] === RESP.CHANNEL_MSG_RECV_V3 || x[0] === RESP.CHANNEL_DATA_RECV);
    if (i < 0) {
      this.metrics?.dropped?.('queue-full');
      return;
    }
    q.splice(i, 1);
    q.push(frame);
    this.metrics?.dropped?.('queue-evicted');
  }
}
