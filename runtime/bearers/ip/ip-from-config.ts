/**
 * The `ip:` config section (ip-config.ts) to the IP bearer: the one place that maps its keys to the bearer's init.
 */
import type { BearerBuildContext, BuiltKind } from '../../bearer/bearer-kind.js';
import { MAX_BEARERS } from './datagram-codec.js';
import { ipBearer, type IpInit } from './ip-bearer.js';
import type { IpConfig } from './ip-config.js';

/** No bearer when `ip.enabled` is false. The bearer throws RangeError on a listen host or peer it cannot use. */
export async function ipBearers(ip: IpConfig, context: BearerBuildContext): Promise<BuiltKind> {
  return { bearers: ip.enabled ? [ipBearer(ipInit(ip, context))] : [] };
}

export function ipInit(ip: IpConfig, context: BearerBuildContext): IpInit {
  return {
    identity: context.identity,
    listen: { host: ip.listen.host, port: ip.listen.port },
    staticPeers: ip.peers.map((p) => ({ host: p.host, port: p.port })),
    discovery: ip.discovery,
    heartbeatMs: ip.heartbeatMs,
    ...(ip.psk !== undefined ? { psk: ip.psk } : {}),
    // Peers see which bearers this relay runs (their status lists them); a HELLO carries at most MAX_BEARERS.
    bearers: context.bearerNames.slice(0, MAX_BEARERS),
  };
}
