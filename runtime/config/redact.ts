/**
 * The config as `lattice config` shows it: secrets masked (the API token, the MQTT password and the password in its
 * URL, the IP domain key), the config it was given left alone.
 */
import type { Config } from './config.js';
import { MASK, maskUrlPassword } from './mask-url.js';

export function redact(c: Config): Config {
  const out = structuredClone(c);
  if (out.api.token !== undefined) out.api.token = MASK;
  if (out.mqtt.password !== undefined) out.mqtt.password = MASK;
  if (out.mqtt.url !== undefined) out.mqtt.url = maskUrlPassword(out.mqtt.url);
  if (out.ip.psk !== undefined) out.ip.psk = MASK;
  return out;
}
