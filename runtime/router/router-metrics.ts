/** The router's Prometheus metrics (registered only when the daemon passes `metrics`). */
import type { Metrics } from '../metrics/metrics.js';
import type { OutboxState } from '../vault/outbox.js';

export interface RouterCounters {
  bundlesIn(bearer: string): void;
  bundlesOut(bearer: string): void;
  duplicate(): void;
  drop(reason: string): void;
  bloomSent(): void;
  bloomReceived(): void;
}

export function routerCounters(metrics: Metrics | undefined, outbox: () => Record<OutboxState, number>): RouterCounters {
  if (!metrics) {
    const nop = (): void => undefined;
    return { bundlesIn: nop, bundlesOut: nop, duplicate: nop, drop: nop, bloomSent: nop, bloomReceived: nop };
  }
  const inC = metrics.counter({ name: 'lattice_bundles_in_total', help: 'New bundles stored, by the bearer they came from (local for created here)', labelNames: ['bearer'] });
  const outC = metrics.counter({ name: 'lattice_bundles_out_total', help: 'Bundles a bearer accepted for sending', labelNames: ['bearer'] });
  const dup = metrics.counter({ name: 'lattice_duplicates_dropped_total', help: 'Bundles dropped because this relay already had them' });
  const drops = metrics.counter({ name: 'lattice_router_drops_total', help: 'Frames and bundles the router refused, by reason', labelNames: ['reason'] });
  const bs = metrics.counter({ name: 'lattice_blooms_sent_total', help: 'Delivery blooms a bearer accepted for sending' });
  const br = metrics.counter({ name: 'lattice_blooms_received_total', help: 'Valid delivery blooms received from other relays' });
  metrics.gauge({
    name: 'lattice_outbox_bundles',
    help: 'Bundles in the outbox, by state',
    labelNames: ['state'],
    collect() {
      let counts: Record<OutboxState, number>;
      try {
        counts = outbox();
      } catch {
        return; // vault closed: no sample this scrape
      }
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  return {
    bundlesIn: (bearer) => inC.inc({ bearer }),
    bundlesOut: (bearer) => outC.inc({ bearer }),
    duplicate: () => dup.inc(),
    drop: (reason) => drops.inc({ reason }),
    bloomSent: () => bs.inc(),
    bloomReceived: () => br.inc(),
  };
}
