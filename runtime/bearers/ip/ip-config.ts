/**
 * The `ip:` config section: what the IP bearer reads (ip-from-config.ts maps it), its schema and its defaults.
 */
import { defineBearerKind } from '../../bearer/bearer-kind.js';
import type { HostPort } from '../../config/config.js';
import { bool, fail, hostPort, int, list, object, type Check } from '../../config/schema-kit.js';
import { pskProblem } from './domain-key.js';

/** The IP bearer's port, UDP and TCP (PROTOCOL.md). */
export const DEFAULT_IP_PORT = 9333;

export interface IpConfig {
  enabled: boolean;
  listen: HostPort;
  /** Peers dialled at start and re-dialled when the link drops. */
  peers: HostPort[];
  /** mDNS/UDP discovery of other relays on the LAN. */
  discovery: boolean;
  heartbeatMs: number;
  /**
   * Domain key: only relays holding the same key are heard (runtime/bearers/ip/PROTOCOL.md, "Domain key"). A secret:
   * masked by `lattice config`, never logged. 32..256 printable ASCII characters without spaces.
   */
  psk?: string;
}

/** `ip.psk`: a secret, so no message here ever repeats the value (domain-key.ts has the rules). */
const ipPsk: Check = (value, path, issues) => {
  if (typeof value !== 'string') return fail(issues, path, `must be a string, got ${value === null ? 'null' : typeof value}`);
  const problem = pskProblem(value);
  return problem ? fail(issues, path, problem) : value;
};

export const ipKind = defineBearerKind<'ip', IpConfig>({
  section: 'ip',
  schema: object(
    {
      enabled: bool(),
      listen: hostPort(),
      peers: list(hostPort({ requireHost: true, defaultPort: DEFAULT_IP_PORT }), { max: 256 }),
      discovery: bool(),
      heartbeatMs: int({ min: 1000, max: 3_600_000, unit: 'milliseconds' }),
      psk: ipPsk,
    },
    // `ip: false`
    { shorthand: (v) => (typeof v === 'boolean' ? { enabled: v } : undefined) },
  ),
  defaults: { enabled: true, listen: { host: '0.0.0.0', port: DEFAULT_IP_PORT }, peers: [], discovery: true, heartbeatMs: 30_000 },
  reserved: { name: 'ip', what: 'the IP bearer' },
  // On by default, so only static peers say the user set up IP.
  given: (layer) => ((layer as { peers?: unknown[] } | undefined)?.peers?.length ?? 0) > 0,
  configured: (ip) => (ip.enabled ? [{ name: 'ip', path: 'ip' }] : []),
  build: async (ip, context) => (await import('./ip-from-config.js')).ipBearers(ip, context),
});
