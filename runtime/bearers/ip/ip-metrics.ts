/**
 * Counters of the IP bearer. Always kept in memory (status().detail.counters, tests); mirrored into Prometheus
 * when the daemon's Metrics (runtime/metrics/metrics.ts) is given:
 *   lattice_ip_frames_in_total{transport}, lattice_ip_frames_out_total{transport}   udp | tcp
 *   lattice_ip_adverts_rejected_total{reason}   malformed | bad-signature | replayed | stale | address-mismatch
 *   lattice_ip_discarded_total{reason}          datagrams and stream bytes dropped (not-lattice, unbound, ...),
 *                                               newcomers refused (rate-limited, address-full, peer-table-full),
 *                                               non-members (psk-missing, psk-bad), over-budget input (PROTOCOL.md)
 *   lattice_ip_peers_evicted_total{class}       table entries pushed out for a newcomer (admission.ts)
 *   lattice_ip_peers                            peers online now
 *   lattice_ip_shard_messages_total{direction}, lattice_ip_shard_bytes_total{direction}   in | out: shard-store traffic
 *   lattice_ip_acks_received_total{fate}        ACKs of our bundle frames: stored | duplicate | handled | refused | not-stored
 *   lattice_ip_acks_sent_total{fate}            ACKs we wrote for a peer's bundle frames, same fates
 *   lattice_ip_ack_timeouts_total               bundle frames with no ACK within ackTimeoutMs (the router retries)
 *   lattice_ip_acks_lost_total                  bundle frames whose connection closed before their ACK (retried)
 *   lattice_ip_unacked_bundles_total            bundle frames sent to a peer too old to acknowledge (delivered on write)
 */
import type { Counter, Gauge, Metrics } from '../../metrics/metrics.js';

export class IpMetrics {
  readonly counters: Record<string, number> = {};
  private readonly prom?: {
    framesIn: Counter<'transport'>;
    framesOut: Counter<'transport'>;
    advertsRejected: Counter<'reason'>;
    discarded: Counter<'reason'>;
    peers: Gauge;
    peersEvicted: Counter<'class'>;
    shardMessages: Counter<'direction'>;
    shardBytes: Counter<'direction'>;
    acksReceived: Counter<'fate'>;
    acksSent: Counter<'fate'>;
    ackTimeouts: Counter;
    acksLost: Counter;
    unacked: Counter;
  };

  constructor(metrics?: Metrics) {
    if (!metrics) return;
    this.prom = {
      framesIn: metrics.counter({ name: 'lattice_ip_frames_in_total', help: 'Lattice frames received over IP', labelNames: ['transport'] }),
      framesOut: metrics.counter({ name: 'lattice_ip_frames_out_total', help: 'Lattice frames sent over IP', labelNames: ['transport'] }),
      advertsRejected: metrics.counter({
        name: 'lattice_ip_adverts_rejected_total',
        help: 'Peer adverts ignored (unsigned, forged, replayed, stale, or from an address they do not name)',
        labelNames: ['reason'],
      }),
      discarded: metrics.counter({ name: 'lattice_ip_discarded_total', help: 'Datagrams, stream bytes and connections dropped', labelNames: ['reason'] }),
      peers: metrics.gauge({ name: 'lattice_ip_peers', help: 'IP peers online' }),
      peersEvicted: metrics.counter({ name: 'lattice_ip_peers_evicted_total', help: 'IP peer table entries pushed out for a newcomer', labelNames: ['class'] }),
      shardMessages: metrics.counter({ name: 'lattice_ip_shard_messages_total', help: 'Shard-store messages carried over IP', labelNames: ['direction'] }),
      shardBytes: metrics.counter({ name: 'lattice_ip_shard_bytes_total', help: 'Bytes of shard-store messages carried over IP', labelNames: ['direction'] }),
      acksReceived: metrics.counter({ name: 'lattice_ip_acks_received_total', help: 'Acknowledgements of our bundle frames, by the fate the peer gave them', labelNames: ['fate'] }),
      acksSent: metrics.counter({ name: 'lattice_ip_acks_sent_total', help: "Acknowledgements of peers' bundle frames, by fate", labelNames: ['fate'] }),
      ackTimeouts: metrics.counter({ name: 'lattice_ip_ack_timeouts_total', help: 'Bundle frames not acknowledged in time (kept and retried)' }),
      acksLost: metrics.counter({ name: 'lattice_ip_acks_lost_total', help: 'Bundle frames whose connection closed before the acknowledgement (kept and retried)' }),
      unacked: metrics.counter({ name: 'lattice_ip_unacked_bundles_total', help: 'Bundle frames sent to a peer too old to acknowledge them (delivered once written)' }),
    };
  }

  private bump(key: string, n = 1): void {
    this.counters[key] = (this.counters[key] ?? 0) + n;
  }

  frameIn(transport: 'udp' | 'tcp'): void {
    this.bump(`frames_in.${transport}`);
    this.prom?.framesIn.inc({ transport });
  }

  frameOut(transport: 'udp' | 'tcp'): void {
    this.bump(`frames_out.${transport}`);
    this.prom?.framesOut.inc({ transport });
  }

  advertRejected(reason: string): void {
    this.bump(`adverts_rejected.${reason}`);
    this.prom?.advertsRejected.inc({ reason });
  }

  discarded(reason: string, n = 1): void {
    this.bump(`discarded.${reason}`, n);
    this.prom?.discarded.inc({ reason }, n);
  }

  peerEvicted(peerClass: string): void {
    this.bump(`peers_evicted.${peerClass}`);
    this.prom?.peersEvicted.inc({ class: peerClass });
  }

  shardIn(bytes: number): void {
    this.bump('shard_messages.in');
    this.prom?.shardMessages.inc({ direction: 'in' });
    this.prom?.shardBytes.inc({ direction: 'in' }, bytes);
  }

  shardOut(bytes: number): void {
    this.bump('shard_messages.out');
    this.prom?.shardMessages.inc({ direction: 'out' });
    this.prom?.shardBytes.inc({ direction: 'out' }, bytes);
  }

  ackReceived(fate: string): void {
    this.bump(`acks_received.${fate}`);
    this.prom?.acksReceived.inc({ fate });
  }

  ackSent(fate: string): void {
    this.bump(`acks_sent.${fate}`);
    this.prom?.acksSent.inc({ fate });
  }

  ackTimeout(): void {
    this.bump('ack_timeouts');
    this.prom?.ackTimeouts.inc();
  }

  ackLost(): void {
    this.bump('acks_lost');
    this.prom?.acksLost.inc();
  }

  unacked(): void {
    this.bump('unacked_bundles');
    this.prom?.unacked.inc();
  }

  peers(online: number): void {
    this.prom?.peers.set(online);
  }

  get(key: string): number {
    return this.counters[key] ?? 0;
  }
}
