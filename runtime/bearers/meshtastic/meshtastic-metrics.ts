/**
 * Metrics of Meshtastic gateways, registered only when the daemon passes its Metrics (runtime/metrics/metrics.ts).
 * Several gateways share them: each metric is created once (get-or-create) and labelled by `bearer`. The ones every
 * companion gateway has are registered in runtime/bearers/companion-metrics.ts; rate limit and ACKs are Meshtastic's.
 */
import type { Counter, Metrics } from '../../metrics/metrics.js';
import { counterMaker, registerCompanionMetrics, type CompanionMetrics } from '../companion-metrics.js';

export interface MeshtasticMetrics extends CompanionMetrics {
  rateLimitWaits: Counter<'bearer'>;
  acks: Counter<'bearer' | 'kind'>;
  naks: Counter<'bearer' | 'reason'>;
}

export function registerMeshtasticMetrics(metrics: Metrics): MeshtasticMetrics {
  const counter = counterMaker(metrics);
  return {
    ...registerCompanionMetrics(metrics, 'meshtastic', {
      framesIn: 'FromRadio frames received from the radio',
      framesOut: 'ToRadio frames written to the radio',
      decodeErrors: 'Frames that were not valid FromRadio protobufs',
      displaced: 'Times the radio closed our healthy TCP session cleanly: another client took it (the firmware serves one)',
      messagesIn: 'Text/data packets received from the Meshtastic mesh',
      messagesOut: 'Text packets the radio accepted into its TX queue',
      queueDepth: 'Packets waiting in the gateway outbox plus packets in the radio TX queue',
      linkUp: '1 while the radio session is up (handshake complete)',
      rxToGateway: 'From a FromRadio frame decoded to its foreign event handed to the router',
    }),
    rateLimitWaits: counter('lattice_meshtastic_rate_limit_waits_total', 'Texts held back for the firmware 2 s text rate limit', ['bearer']),
    acks: counter('lattice_meshtastic_acks_total', 'Delivery ACKs (kind: acked = end to end, implicit = relay heard)', ['bearer', 'kind']),
    naks: counter('lattice_meshtastic_naks_total', 'Routing errors for packets we sent, by reason', ['bearer', 'reason']),
  };
}
