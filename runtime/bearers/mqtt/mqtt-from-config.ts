/**
 * The MQTT bearer from the daemon's `mqtt:` config section (runtime/config/config.ts MqttConfig): the one place
 * that maps config keys to bearer options.
 */
import type { MqttConfig } from '../../config/config.js';
import type { Identity } from '../../identity/identity.js';
import type { Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { createMqttBearer, type MqttBearer } from './mqtt-bearer.js';

export interface MqttBearerDeps {
  identity: Identity;
  metrics?: Metrics;
  log?: Logger;
}

/** Undefined when no `mqtt.url` is configured. Throws on a URL or prefix it cannot use. */
export function mqttBearerFromConfig(config: MqttConfig, deps: MqttBearerDeps): MqttBearer | undefined {
  if (!config.url) return undefined;
  return createMqttBearer({
    identity: deps.identity,
    url: config.url,
    prefix: config.prefix,
    username: config.username,
    password: config.password,
    metrics: deps.metrics,
    log: deps.log,
  });
}
