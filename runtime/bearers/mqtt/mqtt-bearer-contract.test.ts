/** The Bearer contract suite on the MQTT bearer: two relays on one real mosquitto (loopback), one topic prefix per test. */
import { bearerSuite } from '../../bearer/testing/bearer-suite.js';
import { generateIdentity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import { MqttBearer } from './mqtt-bearer.js';
import { startMosquitto } from './testing/mosquitto.js';

setLogSink(() => undefined, 'silent');

const broker = await startMosquitto();
let run = 0;

const s = bearerSuite('mqtt', { carries: 'frames', acks: false }, async () => {
  const prefix = `contract${++run}`;
  const make = () => {
    const identity = generateIdentity();
    return { bearer: new MqttBearer({ identity, url: broker.url, prefix, reconnectPeriodMs: 200 }), id: identity.nodeIdHex };
  };
  const a = make();
  const b = make();
  return {
    carries: 'frames', bearer: a.bearer, far: b.bearer, id: a.id, farId: b.id,
    // The bearer's MQTT.js client holds a live connection to the broker.
    holdsIo: () => a.bearer.status().detail?.connected === true,
    close: () => b.bearer.stop(),
  };
});
s.after(() => broker.stop());
s.run();
