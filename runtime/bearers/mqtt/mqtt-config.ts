/**
 * The `mqtt:` config section: what the MQTT bearer reads (mqtt-from-config.ts maps it), its schema and its defaults.
 */
import { defineBearerKind } from '../../bearer/bearer-kind.js';
import { maskUrlPassword } from '../../config/mask-url.js';
import { fail, INVALID, object, str, type Check } from '../../config/schema-kit.js';

export interface MqttConfig {
  /** Broker URL (`mqtt://`, `mqtts://`, `ws://`, `wss://`); the MQTT bearer runs only when set. */
  url?: string;
  /** Topic prefix: frames go to `<prefix>/...`. */
  prefix: string;
  username?: string;
  password?: string;
}

const mqttUrl: Check = (value, path, issues) => {
  const s = str({ max: 2048 })(value, path, issues);
  if (s === INVALID) return INVALID;
  let url: URL;
  try {
    url = new URL(s as string);
  } catch {
    return fail(issues, path, `${JSON.stringify(maskUrlPassword(s as string))} is not a URL such as mqtt://broker.example.org:1883`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'tls:'].includes(url.protocol)) {
    return fail(issues, path, `unsupported scheme "${url.protocol}" (mqtt://, mqtts://, ws://, wss://)`);
  }
  return s;
};

export const mqttKind = defineBearerKind<'mqtt', MqttConfig>({
  section: 'mqtt',
  schema: object(
    { url: mqttUrl, prefix: str({ max: 128, pattern: /^[^#+\s]+$/, hint: 'must not contain MQTT wildcards (#, +) or spaces' }), username: str({ max: 256 }), password: str({ min: 0, max: 256, secret: true }) },
    // `mqtt: mqtt://broker`
    { shorthand: (v) => (typeof v === 'string' ? { url: v } : undefined) },
  ),
  defaults: { prefix: 'lattice' },
  reserved: { name: 'mqtt', what: 'the MQTT bearer' },
  given: (layer) => (layer as { url?: string } | undefined)?.url !== undefined,
  configured: (mqtt) => (mqtt.url !== undefined ? [{ name: 'mqtt', path: 'mqtt' }] : []),
  check(mqtt, issues) {
    if (mqtt.url === undefined && (mqtt.username !== undefined || mqtt.password !== undefined)) {
      issues.push({ path: 'mqtt.url', message: 'is required when mqtt.username or mqtt.password is set' });
    }
  },
  build: async (mqtt, context) => (await import('./mqtt-from-config.js')).mqttBearers(mqtt, context),
});
