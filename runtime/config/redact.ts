/**
 * The config as `lattice config` shows it: secrets masked (the API token, the MQTT password and the password in its
 * URL, the IP domain key), the config it was given left alone.
 */
import type { Config } from './config.js';
import { MASK, maskUrlPassword } from './mask-url.js';

export function redact(c: Config): Config {
  const out = structuredClone(c);
  if (out.api.token !== undefined) out.api.token = MASK;
  for (const b of out.mqtt) {
    if (b.password !== undefined) b.password = MASK;
    if (b.url !== undefined) b.url = maskUrlPassword(b.url);
  }
  if (out.ip.psk !== undefined) out.ip.psk = MASK;
  return out;
}
