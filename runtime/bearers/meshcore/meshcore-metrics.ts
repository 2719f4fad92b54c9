/**
 * Metrics of MeshCore gateways, registered only when the daemon passes its Metrics (runtime/metrics/metrics.ts).
 * Several gateways share them: each metric is created once (get-or-create) and labelled by `bearer`.
 */
import type { Counter, Gauge, Histogram, Metrics } from '../../metrics/metrics.js';

export interface MeshCoreMetrics {
  framesIn: Counter<'bearer'>;
  framesOut: Counter<'bearer'>;
  decodeErrors: Counter<'bearer'>;
  reconnects: Counter<'bearer'>;
  displaced: Counter<'bearer'>;
  messagesIn: Counter<'bearer' | 'kind'>;
  messagesOut: Counter<'bearer' | 'kind'>;
  dmRetries: Counter<'bearer'>;
  dmConfirmed: Counter<'bearer'>;
  dmExpired: Counter<'bearer'>;
  sendErrors: Counter<'bearer' | 'reason'>;
  unconfirmed: Counter<'bearer'>;
  ackRtt: Histogram<'bearer'>;
  queueDepth: Gauge<'bearer'>;
  linkUp: Gauge<'bearer'>;
  rxToGateway: Histogram<'bearer'>;
}

export function registerMeshCoreMetrics(metrics: Metrics): MeshCoreMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) => metrics.counter<L>({ name, help, labelNames });
  return {
    framesIn: counter('lattice_meshcore_frames_in_total', 'Companion frames received from the radio', ['bearer']),
    framesOut: counter('lattice_meshcore_frames_out_total', 'Companion frames written to the radio', ['bearer']),
    decodeErrors: counter('lattice_meshcore_decode_errors_total', 'Frame resyncs (garbage, false starts) and malformed frames', ['bearer']),
    reconnects: counter('lattice_meshcore_reconnects_total', 'Times the radio link dropped and a reconnect began', ['bearer']),
    displaced: counter('lattice_meshcore_displaced_total', 'Times the radio closed our healthy TCP session cleanly: another client took it (the companion serves one)', ['bearer']),
    messagesIn: counter('lattice_meshcore_messages_in_total', 'Messages received from the MeshCore mesh', ['bearer', 'kind']),
    messagesOut: counter('lattice_meshcore_messages_out_total', 'Messages the radio accepted for sending (first attempts)', ['bearer', 'kind']),
    dmRetries: counter('lattice_meshcore_dm_retries_total', 'DM re-sends after a missing SEND_CONFIRMED', ['bearer']),
    dmConfirmed: counter('lattice_meshcore_acks_total', 'DMs confirmed by the recipient (PUSH_CODE_SEND_CONFIRMED)', ['bearer']),
    dmExpired: counter('lattice_meshcore_dm_expired_total', 'DMs given up because the bundle expired unconfirmed', ['bearer']),
    sendErrors: counter('lattice_meshcore_send_errors_total', 'Sends answered unreachable, by reason', ['bearer', 'reason']),
    unconfirmed: counter('lattice_meshcore_unconfirmed_sends_total', 'Channel texts the radio had in full when the link dropped before its answer: counted as sent, not repeated', ['bearer']),
    ackRtt: metrics.histogram({
      name: 'lattice_meshcore_ack_rtt_seconds', help: 'Round trip of confirmed DMs as the radio measured it', labelNames: ['bearer'],
      buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
    }),
    queueDepth: metrics.gauge({
      name: 'lattice_meshcore_queue_depth', help: 'DMs in flight awaiting SEND_CONFIRMED', labelNames: ['bearer'],
    }),
    linkUp: metrics.gauge({
      name: 'lattice_meshcore_link_up', help: '1 while the companion session is up', labelNames: ['bearer'],
    }),
    rxToGateway: metrics.histogram({
      name: 'lattice_meshcore_rx_to_gateway_seconds', help: 'From a message frame decoded to its foreign event handed to the router', labelNames: ['bearer'],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
    }),
  };
}
