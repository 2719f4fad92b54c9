/**
 * Test fixture: relays (identity + vault + router) on memory bearers in one process, with a temp dir each.
 * Sync memory bearers run with `acks` (a hop counts delivered once the next router settled it durable).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, type Identity } from '../../identity/identity.js';
import { createMetrics, type Metrics } from '../../metrics/metrics.js';
import { MemoryHub, type MemoryBearer, type MemoryBearerOptions } from '../../bearers/memory/memory-bearer.js';
import { Vault, type VaultOptions } from '../../vault/vault.js';
import { Router, type RouterOptions } from '../router.js';
import type { RouterEventMap } from '../router-events.js';
import type { TimerClock } from '../../../lib/clock/timer-clock.js';
import { FastForwardClock } from '../../../lib/testing/fast-forward-clock.js';

export interface TestRelay {
  name: string;
  identity: Identity;
  vault: Vault;
  router: Router;
  bearers: MemoryBearer[];
  metrics: Metrics;
  dir: string;
  events: Array<{ type: keyof RouterEventMap; e: RouterEventMap[keyof RouterEventMap] }>;
  drops(reason: string): Promise<number>;
  restart(bearerOptions?: MemoryBearerOptions[]): Promise<void>;
  stop(): Promise<void>;
}

export interface RelayOptions {
  bearers?: MemoryBearerOptions[];
  identity?: Identity;
  router?: Partial<RouterOptions>;
  /** Vault options on top of the fixture's (e.g. `maxBytes`). */
  vault?: Partial<VaultOptions>;
  /** Default: the network's fast-forward clock (timers of the router and the vault fire without waiting). */
  clock?: (() => number) | TimerClock;
}

export class Network {
  readonly hub = new MemoryHub();
  /** The relays' time: retry back-offs and bloom carries fire on the next turn instead of after their delay. */
  readonly clock = new FastForwardClock();
  private readonly relays: TestRelay[] = [];

  async relay(name: string, options: RelayOptions = {}): Promise<TestRelay> {
    const identity = options.identity ?? generateIdentity();
    const dir = mkdtempSync(join(tmpdir(), `relay-${name}-`));
    const bearerOpts = options.bearers ?? [{}];
    const hub = this.hub;
    const relay = {} as TestRelay;
    const clock = options.clock ?? this.clock;
    const build = async (bOpts: MemoryBearerOptions[], metrics: Metrics): Promise<void> => {
      const vault = new Vault({ path: join(dir, 'vault'), groupCommitMs: 2, fsyncsPerSecond: Infinity, sweepIntervalMs: 0, metrics, clock, ...options.vault });
      await vault.start();
      // Sync memory bearers acknowledge like the IP bearer does (accepted = durable at the next hop) unless a test
      // says otherwise.
      const bearers = bOpts.map((o) => hub.bearer(identity.nodeIdHex, { acks: true, ...o }));
      const router = new Router({
        identity, vault, bearers, metrics,
        bloomDebounceMs: 20, bloomIntervalMs: 60_000, retryIntervalMs: 60_000, clock,
        ...options.router,
      });
      Object.assign(relay, { vault, router, bearers });
      for (const t of ['received', 'delivered', 'forwarded', 'dropped', 'duplicate'] as const) {
        router.events.on(t, (e) => relay.events.push({ type: t, e }));
      }
      await router.start();
      for (const b of bearers) await b.start();
    };
    Object.assign(relay, {
      name, identity, dir, events: [], metrics: createMetrics({ defaultMetrics: false }),
      async drops(reason: string) {
        const m = await relay.metrics.read('lattice_router_drops_total');
        return m?.find((v) => v.labels.reason === reason)?.value ?? 0;
      },
      async stop() {
        for (const b of relay.bearers) await b.stop();
        await relay.router.stop();
        await relay.vault.stop();
      },
      async restart(bOpts?: MemoryBearerOptions[]) {
        await relay.stop();
        // A restarted relay gets fresh bearer objects (names must stay unique per node in the hub).
        hub.forget(identity.nodeIdHex);
        await build((bOpts ?? bearerOpts).map((o) => ({ ...o })), relay.metrics);
      },
    });
    await build(bearerOpts, relay.metrics);
    this.relays.push(relay);
    return relay;
  }

  link(a: TestRelay, b: TestRelay): void {
    this.hub.link(a.identity.nodeIdHex, b.identity.nodeIdHex);
  }

  unlink(a: TestRelay, b: TestRelay): void {
    this.hub.unlink(a.identity.nodeIdHex, b.identity.nodeIdHex);
  }

  async close(): Promise<void> {
    for (const r of this.relays) {
      await r.stop().catch(() => undefined);
      rmSync(r.dir, { recursive: true, force: true });
    }
  }
}

export { waitFor } from '../../../lib/testing/wait-for.js';
