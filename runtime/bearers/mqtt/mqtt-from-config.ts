/**
 * The `mqtt:` config section (mqtt-config.ts) to the MQTT bearer: the one place that maps its keys to the bearer's
 * init.
 */
import type { BearerBuildContext, BuiltKind } from '../../bearer/bearer-kind.js';
import { mqttBearer } from './mqtt-bearer.js';
import type { MqttConfig } from './mqtt-config.js';

/** No bearer without `mqtt.url`. The bearer throws on a URL or prefix it cannot use. */
export async function mqttBearers(mqtt: MqttConfig, context: BearerBuildContext): Promise<BuiltKind> {
  if (mqtt.url === undefined) return { bearers: [] };
  return {
    bearers: [mqttBearer({
      identity: context.identity,
      url: mqtt.url,
      prefix: mqtt.prefix,
      ...(mqtt.username !== undefined ? { username: mqtt.username } : {}),
      ...(mqtt.password !== undefined ? { password: mqtt.password } : {}),
    })],
  };
}
