/**
 * The `mqtt:` config section (mqtt-config.ts) to bearers, one per broker entry: the lattice backhaul
 * (mqtt-bearer.ts), a Meshtastic gateway (meshtastic/meshtastic-gateway.ts) or a MeshCore observer
 * (meshcore/meshcore-observer.ts). The one place that maps the entries' keys to the bearers' inits; TLS files are
 * read here, so a missing one stops the start naming the key.
 */
import { readFileSync } from 'node:fs';
import type { BearerBuildContext, BearerFactory, BuiltKind } from '../../bearer/bearer-kind.js';
import type { BearerLookup } from './gateway-bearer.js';
import { LinkMetrics } from './link-metrics.js';
import { MeshcoreObserver } from './meshcore/meshcore-observer.js';
import { MeshtasticGateway } from './meshtastic/meshtastic-gateway.js';
import { mqttBearer } from './mqtt-bearer.js';
import { MQTT_GATEWAY_DEFAULTS, MQTT_LATTICE_DEFAULTS, MQTT_MESHTASTIC_DEFAULTS, type MqttBrokerConfig, type MqttConfig } from './mqtt-config.js';

export async function mqttBearers(entries: MqttConfig, context: BearerBuildContext): Promise<BuiltKind> {
  const bearers: BearerFactory[] = [];
  const lookup: BearerLookup = (name) => context.bearer?.(name);
  entries.forEach((b, i) => {
    if (b.url === undefined) return;
    const url = b.url;
    const tls = tlsOf(b, i);
    if (b.role === 'lattice') {
      bearers.push(mqttBearer({
        ...(tls ? { tls } : {}),
        identity: context.identity,
        name: b.name,
        url,
        prefix: b.prefix ?? MQTT_LATTICE_DEFAULTS.prefix,
        ...(b.username !== undefined ? { username: b.username } : {}),
        ...(b.password !== undefined ? { password: b.password } : {}),
      }));
      return;
    }
    const link = { queue: b.queue ?? MQTT_GATEWAY_DEFAULTS.queue, ...(b.rateLimit ? { rateLimit: { perSecond: b.rateLimit.perSecond, burst: b.rateLimit.burst } } : {}), ...(tls ? { tls } : {}) };
    if (b.role === 'meshtastic') {
      bearers.push((components) => new MeshtasticGateway({
        name: b.name, radio: b.radio!, lookup, url, ...(b.root !== undefined ? { root: b.root } : {}),
        uplink: b.uplink ?? false, downlink: b.downlink ?? false, decryptedUplink: b.decryptedUplink ?? false,
        channels: (b.channels ?? []).map((c) => ({ name: c.name, ...(c.uplink !== undefined ? { uplink: c.uplink } : {}), ...(c.downlink !== undefined ? { downlink: c.downlink } : {}) })),
        mapReports: mapReportsOf(b),
        link: { ...link, credentials: { ...(b.username !== undefined ? { username: b.username } : {}), ...(b.password !== undefined ? { password: b.password } : {}) } },
        clock: components.clock, log: components.logger.forComponent(b.name), metrics: new LinkMetrics(b.name, components.metrics),
      }));
      return;
    }
    bearers.push((components) => new MeshcoreObserver({
      name: b.name, radio: b.radio!, lookup, url, ...(b.root !== undefined ? { root: b.root } : {}), iata: b.iata!,
      ...(b.audience !== undefined ? { audience: b.audience } : {}),
      ...(b.username !== undefined ? { username: b.username } : {}), ...(b.password !== undefined ? { password: b.password } : {}),
      link, clock: components.clock, log: components.logger.forComponent(b.name), metrics: new LinkMetrics(b.name, components.metrics),
    }));
  });
  return { bearers };
}

function tlsOf(b: MqttBrokerConfig, i: number): { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean } | undefined {
  if (!b.tls) return undefined;
  const read = (key: 'ca' | 'cert' | 'key') => {
    const path = b.tls![key];
    if (path === undefined) return {};
    try {
      return { [key]: readFileSync(path) };
    } catch (err) {
      throw new Error(`mqtt[${i}].tls.${key}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  return { ...read('ca'), ...read('cert'), ...read('key'), rejectUnauthorized: b.tls.rejectUnauthorized };
}

function mapReportsOf(b: MqttBrokerConfig): { enabled: boolean; intervalS: number; precisionBits: number } {
  const m = { ...MQTT_MESHTASTIC_DEFAULTS.mapReports, ...b.mapReports };
  return { enabled: m.enabled, intervalS: m.intervalS, precisionBits: m.precisionBits };
}
