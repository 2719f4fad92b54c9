/**
 * Metrics of native MeshCore nodes (issue 14 "Bad input, metrics, status"), registered only when the daemon passes
 * its Metrics. Every series is labelled by `bearer`; several nodes share them (get-or-create).
 *
 *   lattice_meshcore_native_heard_total{bearer}                 intact frames heard on the air
 *   lattice_meshcore_native_sent_total{bearer,route}            frames put on the air, flood | direct (ours and
 *                                                               forwarded: Dispatcher n_sent_flood / n_sent_direct)
 *   lattice_meshcore_native_forwarded_total{bearer}             other nodes' packets we retransmitted
 *   lattice_meshcore_native_dropped_total{bearer,reason}        frames and packets dropped: crc | duty-cycle |
 *                                                               tx-failed (the radio), duplicate-flood |
 *                                                               duplicate-direct (the dedupe table) and the mesh's
 *                                                               own reasons (malformed, bad MAC, bad signature,
 *                                                               replayed advert, path too long, …)
 *   lattice_meshcore_native_adverts_total{bearer,direction}     adverts heard with a valid signature (rx) and sent (tx)
 *   lattice_meshcore_native_logins_total{bearer,result}         remote logins over the air: ok | failed
 *   lattice_meshcore_native_airtime_seconds_total{bearer,direction}   airtime heard (rx) and sent (tx)
 *   lattice_meshcore_native_clients{bearer}                     companion clients attached now (TCP apps and the
 *                                                               relay's own gateway)
 *   lattice_meshcore_native_contacts{bearer}                    contacts the companion keeps
 *   lattice_meshcore_native_neighbours{bearer}                  repeaters heard directly (zero-hop adverts)
 *   lattice_meshcore_native_tx_queue{bearer}                    packets waiting to go on the air
 *
 * The mesh keeps cumulative counts (MeshCoreMesh.counters); they reach the counters as deltas, at each scrape (the
 * gauges' collect runs first) and when the node stops.
 */
import type { Counter, Gauge, Metrics } from '../../metrics/metrics.js';

/** What each live node reports: cumulative counts and current values. */
export interface McNativeSource {
  bearer: string;
  /** Cumulative counts since start (the mesh's and the node's own). */
  cumulative(): McCumulative;
  clients(): number;
  contacts(): number;
  neighbours(): number;
  txQueue(): number;
}

export interface McCumulative {
  sentFlood: number;
  sentDirect: number;
  forwarded: number;
  /** By reason, duplicates included. */
  dropped: Record<string, number>;
  advertsHeard: number;
  advertsSent: number;
  loginsOk: number;
  loginsFailed: number;
}

export interface McNativeMetrics {
  heard: Counter<'bearer'>;
  dropped: Counter<'bearer' | 'reason'>;
  airtime: Counter<'bearer' | 'direction'>;
  /** Adds a node; returns the removal (which syncs its last counts first). */
  addSource(source: McNativeSource): () => void;
}

interface Registered {
  live: Set<McNativeSource>;
  sync(source: McNativeSource): void;
  last: WeakMap<McNativeSource, McCumulative>;
}

const registries = new WeakMap<Metrics, Registered>();

export function registerMcNativeMetrics(metrics: Metrics): McNativeMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) => metrics.counter<L>({ name, help, labelNames });
  let reg = registries.get(metrics);
  if (!reg) {
    const live = new Set<McNativeSource>();
    const last = new WeakMap<McNativeSource, McCumulative>();
    // The gauges are registered before the counters: a scrape reads metrics in registration order, so the first
    // gauge's collect brings every counter up to date before the counters are read.
    const gauge = (name: string, help: string, value: (s: McNativeSource) => number) => metrics.gauge({
      name, help, labelNames: ['bearer'],
      collect(this: Gauge<'bearer'>) {
        this.reset();
        for (const s of live) {
          sync(s);
          this.set({ bearer: s.bearer }, value(s));
        }
      },
    });
    gauge('lattice_meshcore_native_clients', 'Companion clients attached now (apps and the relay\'s own gateway)', (s) => s.clients());
    gauge('lattice_meshcore_native_contacts', 'Contacts the companion keeps', (s) => s.contacts());
    gauge('lattice_meshcore_native_neighbours', 'Repeaters heard directly (zero-hop adverts)', (s) => s.neighbours());
    gauge('lattice_meshcore_native_tx_queue', 'Packets waiting to go on the air', (s) => s.txQueue());
    const sent = counter('lattice_meshcore_native_sent_total', 'Frames put on the air (ours and forwarded), by route', ['bearer', 'route']);
    const forwarded = counter('lattice_meshcore_native_forwarded_total', "Other nodes' packets retransmitted", ['bearer']);
    const dropped = counter('lattice_meshcore_native_dropped_total', 'Frames and packets dropped, by reason', ['bearer', 'reason']);
    const adverts = counter('lattice_meshcore_native_adverts_total', 'Adverts heard with a valid signature (rx) and sent (tx)', ['bearer', 'direction']);
    const logins = counter('lattice_meshcore_native_logins_total', 'Remote logins over the air, by result', ['bearer', 'result']);
    const sync = (s: McNativeSource) => {
      const now = s.cumulative();
      const before = last.get(s) ?? { sentFlood: 0, sentDirect: 0, forwarded: 0, dropped: {}, advertsHeard: 0, advertsSent: 0, loginsOk: 0, loginsFailed: 0 };
      const bearer = s.bearer;
      const add = <L extends string>(c: Counter<L>, labels: Record<L, string>, a: number, b: number) => { if (a > b) c.inc(labels, a - b); };
      add(sent, { bearer, route: 'flood' }, now.sentFlood, before.sentFlood);
      add(sent, { bearer, route: 'direct' }, now.sentDirect, before.sentDirect);
      add(forwarded, { bearer }, now.forwarded, before.forwarded);
      for (const [reason, n] of Object.entries(now.dropped)) add(dropped, { bearer, reason }, n, before.dropped[reason] ?? 0);
      add(adverts, { bearer, direction: 'rx' }, now.advertsHeard, before.advertsHeard);
      add(adverts, { bearer, direction: 'tx' }, now.advertsSent, before.advertsSent);
      add(logins, { bearer, result: 'ok' }, now.loginsOk, before.loginsOk);
      add(logins, { bearer, result: 'failed' }, now.loginsFailed, before.loginsFailed);
      last.set(s, { ...now, dropped: { ...now.dropped } });
    };
    reg = { live, sync, last };
    registries.set(metrics, reg);
  }
  const r = reg;
  return {
    heard: counter('lattice_meshcore_native_heard_total', 'Intact frames heard on the air', ['bearer']),
    dropped: counter('lattice_meshcore_native_dropped_total', 'Frames and packets dropped, by reason', ['bearer', 'reason']),
    airtime: counter('lattice_meshcore_native_airtime_seconds_total', 'Airtime heard (rx) and sent (tx)', ['bearer', 'direction']),
    addSource(source) {
      r.live.add(source);
      return () => {
        r.sync(source);
        r.live.delete(source);
      };
    },
  };
}
