/**
 * The metrics every companion-radio gateway has (Meshtastic, MeshCore): frames over the link, reconnects and
 * displacements, messages each way, refused sends, queue depth, link state and receive latency, registered once here
 * as `lattice_<family>_…` and labelled by `bearer`. Each family's file (meshtastic-metrics.ts, meshcore-metrics.ts)
 * gives the help texts that name its own frames and queue, and adds the metrics only it has (rate limit, DM retries).
 */
import type { Counter, Gauge, Histogram, Metrics } from '../metrics/metrics.js';

export interface CompanionMetrics {
  framesIn: Counter<'bearer'>;
  framesOut: Counter<'bearer'>;
  decodeErrors: Counter<'bearer'>;
  reconnects: Counter<'bearer'>;
  displaced: Counter<'bearer'>;
  messagesIn: Counter<'bearer' | 'kind'>;
  messagesOut: Counter<'bearer' | 'kind'>;
  sendErrors: Counter<'bearer' | 'reason'>;
  queueDepth: Gauge<'bearer'>;
  linkUp: Gauge<'bearer'>;
  rxToGateway: Histogram<'bearer'>;
}

/** The help texts that differ between families (what a frame, a message and the queue are to that radio). */
export type CompanionMetricsHelp = Record<Exclude<keyof CompanionMetrics, 'reconnects' | 'sendErrors'>, string>;

/** A counter maker for one registry: `counter(name, help, labelNames)`. */
export function counterMaker(metrics: Metrics) {
  return <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> => metrics.counter<L>({ name, help, labelNames });
}

export function registerCompanionMetrics(metrics: Metrics, family: 'meshtastic' | 'meshcore', help: CompanionMetricsHelp): CompanionMetrics {
  const counter = counterMaker(metrics);
  const name = (thing: string) => `lattice_${family}_${thing}`;
  return {
    framesIn: counter(name('frames_in_total'), help.framesIn, ['bearer']),
    framesOut: counter(name('frames_out_total'), help.framesOut, ['bearer']),
    decodeErrors: counter(name('decode_errors_total'), help.decodeErrors, ['bearer']),
    reconnects: counter(name('reconnects_total'), 'Times the radio link dropped and a reconnect began', ['bearer']),
    displaced: counter(name('displaced_total'), help.displaced, ['bearer']),
    messagesIn: counter(name('messages_in_total'), help.messagesIn, ['bearer', 'kind']),
    messagesOut: counter(name('messages_out_total'), help.messagesOut, ['bearer', 'kind']),
    sendErrors: counter(name('send_errors_total'), 'Sends answered unreachable, by reason', ['bearer', 'reason']),
    queueDepth: metrics.gauge({ name: name('queue_depth'), help: help.queueDepth, labelNames: ['bearer'] }),
    linkUp: metrics.gauge({ name: name('link_up'), help: help.linkUp, labelNames: ['bearer'] }),
    rxToGateway: metrics.histogram({
      name: name('rx_to_gateway_seconds'), help: help.rxToGateway, labelNames: ['bearer'],
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1],
    }),
  };
}
