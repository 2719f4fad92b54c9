/**
 * Metrics of Meshtastic gateways, registered only when the daemon passes its Metrics (runtime/metrics/metrics.ts).
 * Several gateways share them: each metric is created once (get-or-create) and labelled by `bearer`.
 */
import type { Counter, Gauge, Histogram, Metrics } from '../../metrics/metrics.js';

export interface MeshtasticMetrics {
  framesIn: Counter<'bearer'>;
  framesOut: Counter<'bearer'>;
  decodeErrors: Counter<'bearer'>;
  reconnects: Counter<'bearer'>;
  displaced: Counter<'bearer'>;
  messagesIn: Counter<'bearer' | 'kind'>;
  messagesOut: Counter<'bearer' | 'kind'>;
  rateLimitWaits: Counter<'bearer'>;
  acks: Counter<'bearer' | 'kind'>;
  naks: Counter<'bearer' | 'reason'>;
  sendErrors: Counter<'bearer' | 'reason'>;
  queueDepth: Gauge<'bearer'>;
  linkUp: Gauge<'bearer'>;
  rxToGateway: Histogram<'bearer'>;
}

export function registerMeshtasticMetrics(metrics: Metrics): MeshtasticMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) => metrics.counter<L>({ name, help, labelNames });
  return {
    framesIn: counter('lattice_meshtastic_frames_in_total', 'FromRadio frames received from the radio', ['bearer']),
    framesOut: counter('lattice_meshtastic_frames_out_total', 'ToRadio frames written to the radio', ['bearer']),
    decodeErrors: counter('lattice_meshtastic_decode_errors_total', 'Frames that were not valid FromRadio protobufs', ['bearer']),
    reconnects: counter('lattice_meshtastic_reconnects_total', 'Times the radio link dropped and a reconnect began', ['bearer']),
    displaced: counter('lattice_meshtastic_displaced_total', 'Times the radio closed our healthy TCP session cleanly: another client took it (the firmware serves one)', ['bearer']),
    messagesIn: counter('lattice_meshtastic_messages_in_total', 'Text/data packets received from the Meshtastic mesh', ['bearer', 'kind']),
    messagesOut: counter('lattice_meshtastic_messages_out_total', 'Text packets the radio accepted into its TX queue', ['bearer', 'kind']),
    rateLimitWaits: counter('lattice_meshtastic_rate_limit_waits_total', 'Texts held back for the firmware 2 s text rate limit', ['bearer']),
    acks: counter('lattice_meshtastic_acks_total', 'Delivery ACKs (kind: acked = end to end, implicit = relay heard)', ['bearer', 'kind']),
    naks: counter('lattice_meshtastic_naks_total', 'Routing errors for packets we sent, by reason', ['bearer', 'reason']),
    sendErrors: counter('lattice_meshtastic_send_errors_total', 'Sends answered unreachable, by reason', ['bearer', 'reason']),
    queueDepth: metrics.gauge({
      name: 'lattice_meshtastic_queue_depth', help: 'Packets waiting in the gateway outbox plus packets in the radio TX queue', labelNames: ['bearer'],
    }),
    linkUp: metrics.gauge({
      name: 'lattice_meshtastic_link_up', help: '1 while the radio session is up (handshake complete)', labelNames: ['bearer'],
    }),
    rxToGateway: metrics.histogram({
      name: 'lattice_meshtastic_rx_to_gateway_seconds', help: 'From a FromRadio frame decoded to its foreign event handed to the router', labelNames: ['bearer'],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
    }),
  };
}
