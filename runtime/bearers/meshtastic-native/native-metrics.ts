/**
 * Metrics of native Meshtastic nodes (issue 13 "Metrics"), registered only when the daemon passes its Metrics. Every
 * series is labelled by `bearer`; several native nodes share them (get-or-create). Gauges that are computed at
 * scrape time (utilisation, clients, nodes) take their values from every live node through one collect callback.
 *
 *   lattice_meshtastic_native_heard_total{bearer}                 intact frames heard on the air
 *   lattice_meshtastic_native_sent_total{bearer}                  frames put on the air (ours and relayed)
 *   lattice_meshtastic_native_rebroadcast_total{bearer}           other nodes' packets we relayed
 *   lattice_meshtastic_native_dropped_total{bearer,reason}        frames and packets dropped: crc | tx-failed |
 *                                                                 duty-cycle and the router's reasons (mesh-metrics.ts
 *                                                                 MeshDropReason: bad-frame, no-sender, from-us,
 *                                                                 hop-limit, not-next-hop, decode-<why>, encode-<why>,
 *                                                                 queue-full, rebroadcast-mode, max-retransmit, …)
 *   lattice_meshtastic_native_duplicates_total{bearer}            packets heard again (same from, id: PacketHistory)
 *   lattice_meshtastic_native_mesh_events_total{bearer,event}     every router event (mesh-metrics.ts MeshEvent:
 *                                                                 rebroadcast-cancelled, retransmission, implicit-ack,
 *                                                                 ack-sent, nak-sent, to-phone, channel-busy, …)
 *   lattice_meshtastic_native_airtime_seconds_total{bearer,direction}   airtime heard (rx) and sent (tx)
 *   lattice_meshtastic_native_airtime_hour_seconds{bearer,direction}    airtime in the last hour
 *   lattice_meshtastic_native_channel_utilization_percent{bearer}       firmware channel_utilization (last minute)
 *   lattice_meshtastic_native_air_util_tx_percent{bearer}               firmware air_util_tx (last hour)
 *   lattice_meshtastic_native_clients{bearer}                     client API connections open now
 *   lattice_meshtastic_native_client_drops_total{bearer,reason}   client connections dropped for what they did:
 *                                                                 garbage | bad-length | stalled-mid-frame
 *   lattice_meshtastic_native_nodes{bearer}                       nodes in the NodeDB (ourselves included)
 */
import type { Counter, Gauge, Metrics } from '../../metrics/metrics.js';

/** What the radio adapter drops (the router's own reasons are MeshDropReason). */
export type NativeDropReason = 'crc' | 'tx-failed' | 'duty-cycle';

/** What each live node reports at scrape time. */
export interface NativeGaugeSource {
  bearer: string;
  channelUtilisationPercent(): number;
  txUtilisationPercent(): number;
  txMsLastHour(): number;
  rxMsLastHour(): number;
  clients(): number;
  nodes(): number;
}

export interface NativeMetrics {
  heard: Counter<'bearer'>;
  sent: Counter<'bearer'>;
  rebroadcast: Counter<'bearer'>;
  dropped: Counter<'bearer' | 'reason'>;
  duplicates: Counter<'bearer'>;
  events: Counter<'bearer' | 'event'>;
  airtime: Counter<'bearer' | 'direction'>;
  clientDrops: Counter<'bearer' | 'reason'>;
  /** Adds a node to the scrape-time gauges; returns the removal. */
  addSource(source: NativeGaugeSource): () => void;
}

const sources = new WeakMap<Metrics, Set<NativeGaugeSource>>();

export function registerNativeMetrics(metrics: Metrics): NativeMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) => metrics.counter<L>({ name, help, labelNames });
  let set = sources.get(metrics);
  if (!set) {
    const live = (set = new Set<NativeGaugeSource>());
    sources.set(metrics, live);
    const gauge = (name: string, help: string, value: (s: NativeGaugeSource) => number) => metrics.gauge({
      name, help, labelNames: ['bearer'],
      collect(this: Gauge<'bearer'>) {
        this.reset();
        for (const s of live) this.set({ bearer: s.bearer }, value(s));
      },
    });
    gauge('lattice_meshtastic_native_channel_utilization_percent', 'Percent of the last minute the channel carried frames heard or sent (firmware channel_utilization)', (s) => s.channelUtilisationPercent());
    gauge('lattice_meshtastic_native_air_util_tx_percent', 'Percent of the last hour this node transmitted (firmware air_util_tx)', (s) => s.txUtilisationPercent());
    gauge('lattice_meshtastic_native_clients', 'Client API connections open now', (s) => s.clients());
    gauge('lattice_meshtastic_native_nodes', 'Nodes in the NodeDB, ourselves included', (s) => s.nodes());
    metrics.gauge({
      name: 'lattice_meshtastic_native_airtime_hour_seconds', help: 'Airtime in the last hour, heard (rx) and sent (tx)', labelNames: ['bearer', 'direction'],
      collect(this: Gauge<'bearer' | 'direction'>) {
        this.reset();
        for (const s of live) {
          this.set({ bearer: s.bearer, direction: 'tx' }, s.txMsLastHour() / 1000);
          this.set({ bearer: s.bearer, direction: 'rx' }, s.rxMsLastHour() / 1000);
        }
      },
    });
  }
  const live = set;
  return {
    heard: counter('lattice_meshtastic_native_heard_total', 'Intact frames heard on the air', ['bearer']),
    sent: counter('lattice_meshtastic_native_sent_total', 'Packets this node originated, put on the air', ['bearer']),
    rebroadcast: counter('lattice_meshtastic_native_rebroadcast_total', "Other nodes' packets this node relayed", ['bearer']),
    dropped: counter('lattice_meshtastic_native_dropped_total', 'Frames dropped, by reason', ['bearer', 'reason']),
    duplicates: counter('lattice_meshtastic_native_duplicates_total', 'Packets heard again (same from and id)', ['bearer']),
    events: counter('lattice_meshtastic_native_mesh_events_total', 'Router events (rebroadcast-cancelled, retransmission, implicit-ack, ack-sent, nak-sent, channel-busy, ...)', ['bearer', 'event']),
    airtime: counter('lattice_meshtastic_native_airtime_seconds_total', 'Airtime heard (rx) and sent (tx)', ['bearer', 'direction']),
    clientDrops: counter('lattice_meshtastic_native_client_drops_total', 'Client API connections dropped for garbage or a stalled frame (only that client), by reason', ['bearer', 'reason']),
    addSource(source) {
      live.add(source);
      return () => {
        live.delete(source);
      };
    },
  };
}
