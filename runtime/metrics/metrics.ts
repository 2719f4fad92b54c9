/**
 * Metrics: what components count, in our own small interface (`Metrics`, `Counter`, `Gauge`, `Histogram`), so no
 * component depends on the library behind it. One per daemon, backed by one prom-client registry with default process
 * metrics, `lattice_build_info{version}`, `lattice_uptime_seconds` and the `lattice_peers{bearer}` gauge. Components
 * take an optional `metrics?: Metrics` and register their own through the get-or-create helpers, so two bearers of
 * one kind share a metric (told apart by a `bearer` label) instead of failing with "already registered".
 *
 * Names follow `lattice_<component>_<thing>` with `_total` on counters and a unit suffix where there is one
 * (`lattice_lora_airtime_seconds_total`, `lattice_vault_bytes`); the helpers enforce the prefix and `_total`.
 */
import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { VERSION } from '../version.js';

export interface MetricConfig<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface HistogramConfig<L extends string> extends MetricConfig<L> {
  /** Upper bounds of the buckets, in the metric's unit. */
  buckets?: number[];
}

/** The label values of one series; labels left out are empty. */
export type Labels<L extends string> = Partial<Record<L, string | number>>;

/** A count that only goes up (`lattice_<component>_<thing>_total`). */
export interface Counter<L extends string = string> {
  inc(value?: number): void;
  inc(labels: Labels<L>, value?: number): void;
}

/** A value that goes up and down (queue depth, link up); `collect` gauges set it at each scrape. */
export interface Gauge<L extends string = string> {
  set(value: number): void;
  set(labels: Labels<L>, value: number): void;
  inc(value?: number): void;
  inc(labels: Labels<L>, value?: number): void;
  dec(value?: number): void;
  dec(labels: Labels<L>, value?: number): void;
  /** Forgets every series (a collect callback that rebuilds the label set at each scrape starts with it). */
  reset(): void;
}

/** A distribution of observed values (latencies, sizes) in buckets. */
export interface Histogram<L extends string = string> {
  observe(value: number): void;
  observe(labels: Labels<L>, value: number): void;
}

/** One series' current value, as `read()` returns it (histograms give one sample per bucket, sum and count). */
export interface MetricSample {
  /** The series' name: the metric's, or with `_bucket`, `_sum`, `_count` for a histogram. */
  name: string;
  labels: Record<string, string | number>;
  value: number;
}

/** Peer counts by bearer name, read at every scrape. */
export type PeerSource = () => Record<string, number>;

export interface Metrics {
  counter<L extends string = string>(config: MetricConfig<L>): Counter<L>;
  gauge<L extends string = string>(config: MetricConfig<L> & { collect?: (this: Gauge<L>) => void | Promise<void> }): Gauge<L>;
  histogram<L extends string = string>(config: HistogramConfig<L>): Histogram<L>;
  /** Drops the named metrics, so a component that restarts with fresh state registers them anew from zero. */
  remove(...names: string[]): void;
  /** Adds a source for `lattice_peers{bearer}`; returns a function that removes it. */
  addPeerSource(source: PeerSource): () => void;
  /** The current samples of one metric (its collect callback run first), or undefined when none has that name. */
  read(name: string): Promise<MetricSample[] | undefined>;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Default process metrics (CPU, memory, event loop lag, GC). Default true. */
  defaultMetrics?: boolean;
  /** Clock for uptime, ms since the epoch (tests). */
  now?: () => number;
}

const NAME = /^lattice_[a-z0-9_]+$/;

/**
 * How often the default metrics sample the event-loop delay (nodejs_eventloop_lag_*). prom-client's default, Node's
 * 10 ms, is a timer firing 100 times a second: nearly all the CPU an idle relay used (0.3 % of a core on the
 * development machine, several percent on a Pi Zero 2 W). Once a second still catches every stall over a second and
 * samples shorter ones; nodejs_eventloop_lag_seconds is measured afresh at each scrape anyway.
 */
export const EVENT_LOOP_SAMPLE_MS = 1000;

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const now = options.now ?? Date.now;
  const startedAt = now();
  // Default metrics keep Prometheus' conventional names (process_*, nodejs_*) so stock dashboards work.
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const peerSources = new Set<PeerSource>();

  function existing<T extends Metric>(name: string, type: new (...args: never[]) => T, labelNames: readonly string[]): T | undefined {
    const m = registry.getSingleMetric(name);
    if (m === undefined) return undefined;
    const have = (m as unknown as { labelNames: string[] }).labelNames ?? [];
    if (!(m instanceof type) || have.join(',') !== [...labelNames].join(',')) {
      throw new TypeError(`metric ${name} is already registered as a different ${m.constructor.name} with labels [${have.join(', ')}]`);
    }
    return m as T;
  }

  function checkName(name: string, counter: boolean): void {
    if (!NAME.test(name)) throw new TypeError(`metric name ${JSON.stringify(name)} must match ${NAME} (lattice_<component>_<thing>)`);
    if (counter !== name.endsWith('_total')) {
      throw new TypeError(counter ? `counter ${name} must end in _total` : `${name}: only counters end in _total`);
    }
  }

  const metrics: Metrics = {
    contentType: registry.contentType,
    counter(config) {
      checkName(config.name, true);
      const labelNames = config.labelNames ?? [];
      return existing(config.name, PromCounter, labelNames) ?? new PromCounter({ ...config, labelNames, registers: [registry] });
    },
    gauge(config) {
      checkName(config.name, false);
      const labelNames = config.labelNames ?? [];
      return existing(config.name, PromGauge, labelNames) ?? new PromGauge({ ...config, labelNames, registers: [registry] });
    },
    histogram(config) {
      checkName(config.name, false);
      const labelNames = config.labelNames ?? [];
      return existing(config.name, PromHistogram, labelNames) ?? new PromHistogram({ ...config, labelNames, registers: [registry] });
    },
    remove(...names) {
      for (const name of names) registry.removeSingleMetric(name);
    },
    async read(name) {
      const m = registry.getSingleMetric(name);
      if (m === undefined) return undefined;
      const { values } = await m.get();
      return values.map((v) => ({ name: (v as { metricName?: string }).metricName ?? name, labels: { ...v.labels } as Record<string, string | number>, value: v.value }));
    },
    addPeerSource(source) {
      peerSources.add(source);
      return () => {
        peerSources.delete(source);
      };
    },
    render: () => registry.metrics(),
  };

  // The Prometheus "info" idiom: a constant 1 labelled with the version, for dashboards and upgrade tracking.
  metrics.gauge({ name: 'lattice_build_info', help: 'Version of this relay', labelNames: ['version', 'node'] }).set({ version: VERSION, node: process.version }, 1);
  metrics.gauge({
    name: 'lattice_uptime_seconds',
    help: 'Seconds since this relay started',
    collect() {
      this.set((now() - startedAt) / 1000);
    },
  });
  metrics.gauge({
    name: 'lattice_peers',
    help: 'Peers currently reachable, by bearer',
    labelNames: ['bearer'],
    collect() {
      this.reset();
      for (const source of peerSources) {
        let counts: Record<string, number>;
        try {
          counts = source();
        } catch {
          // A failing source must not break the whole scrape; its bearer simply has no sample this time.
          continue;
        }
        for (const [bearer, n] of Object.entries(counts)) this.inc({ bearer }, n);
      }
    },
  });
  return metrics;
}
