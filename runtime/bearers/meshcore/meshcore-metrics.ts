/**
 * Metrics of MeshCore gateways, registered only when the daemon passes its Metrics (runtime/metrics/metrics.ts).
 * Several gateways share them: each metric is created once (get-or-create) and labelled by `bearer`. The ones every
 * companion gateway has are registered in runtime/bearers/companion-metrics.ts; the DM ones are MeshCore's own.
 */
import type { Counter, Histogram, Metrics } from '../../metrics/metrics.js';
import { counterMaker, registerCompanionMetrics, type CompanionMetrics } from '../companion-metrics.js';

export interface MeshCoreMetrics extends CompanionMetrics {
  dmRetries: Counter<'bearer'>;
  dmConfirmed: Counter<'bearer'>;
  dmExpired: Counter<'bearer'>;
  unconfirmed: Counter<'bearer'>;
  ackRtt: Histogram<'bearer'>;
}

export function registerMeshCoreMetrics(metrics: Metrics): MeshCoreMetrics {
  const counter = counterMaker(metrics);
  return {
    ...registerCompanionMetrics(metrics, 'meshcore', {
      framesIn: 'Companion frames received from the radio',
      framesOut: 'Companion frames written to the radio',
      decodeErrors: 'Frame resyncs (garbage, false starts) and malformed frames',
      displaced: 'Times the radio closed our healthy TCP session cleanly: another client took it (the companion serves one)',
      messagesIn: 'Messages received from the MeshCore mesh',
      messagesOut: 'Messages the radio accepted for sending (first attempts)',
      queueDepth: 'DMs in flight awaiting SEND_CONFIRMED',
      linkUp: '1 while the companion session is up',
      rxToGateway: 'From a message frame decoded to its foreign event handed to the router',
    }),
    dmRetries: counter('lattice_meshcore_dm_retries_total', 'DM re-sends after a missing SEND_CONFIRMED', ['bearer']),
    dmConfirmed: counter('lattice_meshcore_acks_total', 'DMs confirmed by the recipient (PUSH_CODE_SEND_CONFIRMED)', ['bearer']),
    dmExpired: counter('lattice_meshcore_dm_expired_total', 'DMs given up because the bundle expired unconfirmed', ['bearer']),
    unconfirmed: counter('lattice_meshcore_unconfirmed_sends_total', 'Channel texts the radio had in full when the link dropped before its answer: counted as sent, not repeated', ['bearer']),
    ackRtt: metrics.histogram({
      name: 'lattice_meshcore_ack_rtt_seconds', help: 'Round trip of confirmed DMs as the radio measured it', labelNames: ['bearer'],
      buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
    }),
  };
}
