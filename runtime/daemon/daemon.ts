/**
 * Daemon: the composition root. Builds identity, metrics, vault, bearers, router, the simulated neighbourhood,
 * the shard store, the HTTP API and the metrics endpoint from one Config, starts them in that order and stops them
 * in reverse.
 * It is also the RelayNode the API serves.
 */
import { StampAllocator } from '../bearers/lora/v2/stamp-allocator.js';
import { join } from 'node:path';
import type { Clock } from '../../lib/clock/clock.js';
import type { Bearer } from '../bearer/bearer.js';
import { isRadioGateway } from '../bearer/radio-gateway.js';
import type { Config } from '../config/config.js';
import { loadOrCreateIdentity, type Identity } from '../identity/identity.js';
import { defaultComponents } from '../components/components.js';
import { createLogger } from '../log/logger.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { MetricsServer } from '../metrics/metrics-server.js';
import { ApiServer } from '../api/api-server.js';
import type { MeshtasticHttp } from '../api/meshtastic-http-routes.js';
import type { BundleView, InboxEntry, NodeStatus, SentEntry, RelayNode, SendRequest } from '../node/relay-node.js';
import { Router } from '../router/router.js';
import { Vault } from '../vault/vault.js';
import { MAX_LIFETIME_MS } from '../bundle/verify-bundle.js';
import { VERSION } from '../version.js';
import { buildBearers } from './build-bearers.js';
import { startShardStore, type ShardStoreHandle } from './build-shards.js';
import { logRouterEvents } from './relay-events-log.js';
import { tightenDataDir } from './data-dir-modes.js';
import { lockDataDir } from './data-dir-lock.js';
import { LoopMonitor, type LoopHealth } from './watchdog/loop-monitor.js';
import { SdNotify } from './watchdog/sd-notify.js';
import type { SimNeighbourhood } from '../sim/sim-neighbourhood.js';
import type { Bridge } from '../bridge/bridge.js';
import type { PowerRuntime } from '../power/power-runtime.js';
import type { BatteryFigure } from '../power/battery-figure.js';
import { registerPowerMetrics } from '../power/power-metrics.js';
import { isRadioPowerHooks, type RadioPowerHooks } from '../power/power-targets.js';

const log = createLogger('relay');

export interface DaemonOptions {
  /** Time for the components that take a Clock (the bridge's paces: rate limits, airtime budgets, hold-offs; the
   * components' clock, runtime/components/components.ts); default the system clock. Tests let those paces pass
   * without waiting. */
  clock?: Clock;
  /** The power subsystem (runtime/power/power-runtime.ts), which outlives a daemon stopped for a low battery:
   * `GET /status` power, `lattice_power_*` metrics, the policies' hooks, the battery figure for MeshCore. */
  power?: PowerRuntime;
  /** The caller holds the data directory's lock for longer than this daemon runs (run-daemon.ts: the whole
   * process, low-battery waits included); the daemon then neither takes nor releases it. */
  dataDirLocked?: boolean;
}

interface Step {
  name: string;
  stop: () => Promise<void> | void;
}

export class Daemon implements RelayNode {
  identity?: Identity;
  metrics?: Metrics;
  router?: Router;
  vault?: Vault;
  bearers: Bearer[] = [];
  api?: ApiServer;
  metricsServer?: MetricsServer;
  sim?: SimNeighbourhood;
  bridge?: Bridge;
  shards?: ShardStoreHandle;
  loop?: LoopMonitor;
  private readonly started: Step[] = [];
  private startedAt = Date.now();

  constructor(readonly config: Config, private readonly options: DaemonOptions = {}) {}

  private async step(name: string, start: () => Promise<void> | void, stop: () => Promise<void> | void): Promise<void> {
    await start();
    this.started.push({ name, stop });
  }

  async start(): Promise<void> {
    const c = this.config;
    this.startedAt = Date.now();
    try {
      await secureDataDir(c.dataDir);
      // Before anything in it is opened: a second relay on this directory stops here (DataDirInUseError).
      const dirLock = this.options.dataDirLocked ? undefined : lockDataDir(c.dataDir);
      if (dirLock) this.started.push({ name: 'data directory lock', stop: () => dirLock.release() });
      if (dirLock?.tookOver) log.warn('took over the data directory lock of a relay that is gone (crash or power cut)', { dataDir: c.dataDir, pid: dirLock.tookOver.pid, startedAt: dirLock.tookOver.startedAt });
      // The event-loop watchdog (GET /health, the systemd watchdog ping): from the start, as the API asks it.
      const notify = new SdNotify({ onError: onceWarn('systemd notification failed (is systemd-notify installed? the unit needs NotifyAccess=all)') });
      const loop = (this.loop = new LoopMonitor({
        intervalMs: Math.min(30_000, notify.watchdogIntervalMs ?? 30_000),
        onTick: () => notify.tick(),
        onStall: (lagMs) => log.warn('event loop stalled', { lagMs }),
      }));
      loop.start();
      this.started.push({ name: 'event-loop watchdog', stop: async () => { loop.stop(); await notify.stopping(); } });
      const { identity, created } = await loadOrCreateIdentity(c.dataDir);
      this.identity = identity;
      log.info(created ? 'created a new identity' : 'identity loaded', { shortId: identity.shortId, nodeId: identity.nodeIdHex, dataDir: c.dataDir });
      // Process metrics (CPU, memory, event-loop sampling) only for an endpoint that can serve them.
      const metrics = (this.metrics = createMetrics({ defaultMetrics: c.metrics.enabled }));
      const keepMs = c.vault.lifetimeDays * 86_400_000;
      const vault = (this.vault = new Vault({ path: join(c.dataDir, 'vault'), metrics, onDamage: c.vault.onDamage, maxKeepMs: keepMs, ...(c.vault.maxBytes !== undefined ? { maxBytes: c.vault.maxBytes } : {}) }));
      await this.step('vault', () => vault.start(), () => vault.stop());

      // What every component shares: the relay's metrics, its logging, its clock.
      const power = this.options.power;
      const components = defaultComponents({ metrics, ...(this.options.clock ? { clock: this.options.clock } : {}), ...(power ? { battery: () => power.battery() } : {}) });
      const built = await buildBearers(c, identity, components);
      this.bearers = built.bearers;
      this.started.push({ name: 'radios', stop: async () => { for (const f of built.cleanups) await f(); } });
      if (c.sim.enabled) {
        const { SimNeighbourhood } = await import('../sim/sim-neighbourhood.js');
        this.sim = new SimNeighbourhood({ dataDir: join(c.dataDir, 'sim'), main: identity, log: createLogger('sim') });
        const sim = this.sim;
        this.bearers.push(...(await sim.mainBearers(components)));
        this.started.push({ name: 'simulated radios', stop: () => sim.closeRadios() });
      }
      metrics.addPeerSource(() => Object.fromEntries(this.bearers.map((b) => [b.name, b.status().peers.length])));

      // A fragmented bundle on a slow LoRa preset is tens of seconds on air: the per-send timeout must exceed it.
      const hasLora = this.bearers.some((b) => b.status().kind === 'lora');
      // A LoRa radio speaking Lattice v2 needs this node's stamps (the nonce of its compact seals), durable ahead.
      // So does the simulated default's lora0 (it speaks v2 to ridge and valley).
      const v2 = c.sim.enabled || c.lora.some((l) => l.protocol === 'lattice' && l.v2 !== false);
      // A stamp file that cannot be read (corrupt, unreadable) leaves this relay creating v1-shaped bundles (it still
      // relays v2): guessing where its stamps stood could reuse a nonce.
      const stamps = v2 ? await StampAllocator.open(c.dataDir).catch((err: Error) => {
        log.error('v2 stamps unavailable: bundles created here go as v1 on LoRa', { error: err.message, name: err.name });
        return undefined;
      }) : undefined;
      const router = (this.router = new Router({
        identity, vault, bearers: this.bearers, metrics, bloomIntervalMs: c.bloom.intervalMs, ...(hasLora ? { sendTimeoutMs: 120_000 } : {}),
        // What this relay creates lives vault.lifetimeDays, within the longest lifetime a bundle may have.
        defaultLifetimeMs: Math.min(keepMs, MAX_LIFETIME_MS),
        ...(stamps ? { stamps } : {}),
      }));
      const offLog = logRouterEvents(router, log);
      this.started.push({ name: 'event log', stop: offLog });
      // The router subscribes before the bearers start, so no frame or peer event is missed.
      await this.step('router', () => router.start(), () => router.stop());
      for (const b of this.bearers) await this.step(`bearer ${b.name}`, () => b.start(), () => b.stop());
      // The simulated default bridges its two simulated meshes unless the user configured a bridge.
      const bridgeSettings = this.sim ? this.sim.bridgeSettings(c.bridge) : c.bridge;
      if (bridgeSettings.enabled) {
        // After the router and the radios (it listens to the router and reads the radios' channels and nodes),
        // stopped before them so its drains end while the router can still store what they hand over.
        // Loaded only when bridging: the planner and gateways' limits are not needed otherwise (idle RSS).
        const { Bridge } = await import('../bridge/bridge.js');
        const bridge = (this.bridge = new Bridge({ router, vault, identity, bearers: this.bearers, settings: bridgeSettings, metrics, log: createLogger('bridge'), dataDir: c.dataDir, onDamage: c.vault.onDamage, ...(this.options.clock ? { clock: this.options.clock } : {}) }));
        await this.step('bridge', () => bridge.start(), () => bridge.stop());
      }
      if (this.sim) {
        const sim = this.sim;
        await this.step('simulated neighbourhood', () => sim.start(), () => sim.stop());
      }
      // The shard store rides the IP bearer: it starts after the bearers and stops before them.
      const shards = (this.shards = await startShardStore(c, identity, this.bearers, metrics));
      if (shards) this.started.push({ name: 'shard store', stop: () => shards.stop() });
      if (power) {
        // After the radios and the shard store (the policies act on them), before the API (status shows power).
        const offMetrics = registerPowerMetrics(metrics, power);
        const detach = power.attach({ radios: this.bearers.filter((b): b is Bearer & RadioPowerHooks => isRadioPowerHooks(b)), ...(shards ? { shards } : {}) });
        this.started.push({ name: 'power policies', stop: () => { detach(); offMetrics(); } });
      }
      // The first native Meshtastic node also answers the firmware's HTTP API (/api/v1/…) for the official web client.
      const native = this.bearers.find((b): b is Bearer & { meshtasticHttp(session: string): MeshtasticHttp | undefined } => typeof (b as { meshtasticHttp?: unknown }).meshtasticHttp === 'function');
      const api = (this.api = new ApiServer({
        node: this, host: c.api.host, port: c.api.port, ...(c.api.token ? { token: c.api.token } : {}), metrics, ...(shards ? { shards: shards.service } : {}),
        ...(native ? { meshtasticHttp: (session: string) => native.meshtasticHttp(session) } : {}),
      }));
      await this.step('api', () => api.start(), () => api.stop());
      if (c.metrics.enabled) {
        const m = (this.metricsServer = new MetricsServer({ metrics, host: c.metrics.host, port: c.metrics.port, path: c.metrics.path }));
        await this.step('metrics', () => m.start(), () => m.stop());
      }
      await notify.ready();
      log.info('relay running', { shortId: identity.shortId, api: api.url, metrics: this.metricsServer?.url, bearers: this.bearers.map((b) => b.name).join(',') });
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops everything that started, in reverse order; one failing step does not keep the others running. */
  async stop(): Promise<void> {
    while (this.started.length) {
      const s = this.started.pop()!;
      try {
        await s.stop();
      } catch (err) {
        log.warn('stop failed', { step: s.name, err: String(err) });
      }
    }
  }

  // ---- RelayNode ------------------------------------------------------------------------------------------------

  private get live(): { router: Router; identity: Identity } {
    if (!this.router || !this.identity) throw new Error('relay is not running');
    return { router: this.router, identity: this.identity };
  }

  status(): NodeStatus {
    const { router, identity } = this.live;
    const vaultCounts = this.vault!.counts();
    const radios = this.bearers.filter(isRadioGateway).map((b) => b.radio());
    return {
      version: VERSION,
      nodeId: identity.nodeIdHex,
      shortId: identity.shortId,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      peers: router.peers(),
      bearers: this.bearers.map((b) => b.status()),
      outbox: vaultCounts.outbox,
      inbox: vaultCounts.inbox,
      stored: vaultCounts.stored,
      vault: this.vault!.usage(),
      ...(radios.length > 0 ? { radios } : {}),
      ...(this.bridge?.running ? { bridge: this.bridge.status() } : {}),
      ...(this.options.power ? { power: this.options.power.view() } : {}),
    };
  }

  /** The battery for MeshCore's companion and repeater status (also handed to every component as `battery`);
   * undefined without a power monitor or before its first reading. */
  battery(): BatteryFigure | undefined {
    return this.options.power?.battery();
  }

  /** The event loop's health (GET /health answers 503 when it stalled recently). */
  health(): LoopHealth {
    return this.loop?.health() ?? { ok: true, lastTickAgoMs: 0, maxLagMs: 0, stallMs: 0 };
  }

  send(request: SendRequest): Promise<{ bundleId: string }> {
    return this.live.router.send(request);
  }

  bundle(id: string): BundleView | undefined {
    return this.live.router.bundleView(id);
  }

  inbox(options?: { limit?: number; since?: number }): InboxEntry[] {
    return this.live.router.inbox(options);
  }

  sentMessages(options?: { limit?: number }): SentEntry[] {
    return this.live.router.sentMessages(options);
  }
}

/** Makes the data directory owner-only (data-dir-modes.ts); says so once when it had to change something. */
async function secureDataDir(dataDir: string): Promise<void> {
  const r = await tightenDataDir(dataDir);
  if (r.files + r.dirs > 0) {
    log.warn(`tightened permissions under ${dataDir}: ${r.files} ${r.files === 1 ? 'file' : 'files'} to 0600 and ${r.dirs} ${r.dirs === 1 ? 'directory' : 'directories'} to 0700 (other users could read them)`, { dataDir, files: r.files, dirs: r.dirs });
  }
  if (r.failed.length > 0) {
    log.warn(`cannot make ${r.failed.length} of the entries under ${dataDir} owner-only (another user's?): ${r.failed.slice(0, 3).map((f) => `${f.path} (${f.code})`).join(', ')}`, { dataDir });
  }
}

/** A warning logged the first time only (a missing systemd-notify would otherwise warn every 15 s). */
function onceWarn(message: string): (err: Error, state: string) => void {
  let said = false;
  return (err, state) => {
    if (said) return;
    said = true;
    log.warn(message, { state, error: err.message });
  };
}
