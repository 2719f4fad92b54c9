/**
 * The IP bearer from the daemon's `ip:` config section (runtime/config/config.ts IpConfig): the one place that
 * maps config keys to bearer options.
 */
import type { IpConfig } from '../../config/config.js';
import type { Identity } from '../../identity/identity.js';
import type { Logger } from '../../log/logger.js';
import type { Metrics } from '../../metrics/metrics.js';
import { createIpBearer, type IpBearer } from './ip-bearer.js';

export interface IpBearerDeps {
  identity: Identity;
  metrics?: Metrics;
  log?: Logger;
  /** Names of every bearer this relay runs, announced in HELLO capabilities. */
  bearers?: string[];
}

/** Undefined when `ip.enabled` is false. Throws RangeError on a listen host or peer it cannot use. */
export function ipBearerFromConfig(config: IpConfig, deps: IpBearerDeps): IpBearer | undefined {
  if (!config.enabled) return undefined;
  return createIpBearer({
    identity: deps.identity,
    listen: config.listen,
    staticPeers: config.peers,
    discovery: config.discovery,
    heartbeatMs: config.heartbeatMs,
    ...(config.psk !== undefined ? { psk: config.psk } : {}),
    bearers: deps.bearers,
    metrics: deps.metrics,
    log: deps.log,
  });
}
