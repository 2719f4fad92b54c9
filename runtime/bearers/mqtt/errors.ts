/** MQTT bearer errors, one class per failure mode; tests assert on `name`. */
import { AbortError } from '../../../lib/errors.js';

/** A payload on a Lattice topic that does not parse; `reason` labels lattice_mqtt_rejected_total. */
export class MqttDecodeError extends Error {
  override name = 'MqttDecodeError';
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/** The bearer stopped (or the caller aborted) while a publish waited for the broker's PUBACK. */
export class MqttSendAbortError extends AbortError {
  constructor(readonly peer: string, options?: { cause?: unknown }) {
    super(`MQTT send to ${peer === '*' ? 'broadcast' : peer.slice(0, 12)} aborted`, options);
  }
}

/** A gateway's `radio` is not a bearer of this relay, or not one that can serve the gateway's role. */
export class MqttGatewayRadioError extends Error {
  override name = 'MqttGatewayRadioError';
  constructor(readonly bearer: string, readonly radio: string, message: string) {
    super(message);
  }
}
