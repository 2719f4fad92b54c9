import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startMeshtasticSim } from '../../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import { defaultComponents } from '../../components/components.js';
import { parseConfig } from '../../config/parse-config.js';
import { meshtasticBearer, type MeshtasticInit } from './create-meshtastic-bearer.js';
import { meshtasticBearers } from './meshtastic-from-config.js';

const createMeshtasticBearer = (init: MeshtasticInit) => meshtasticBearer(init)(defaultComponents());

test('names the bearer by index, reports the device, refuses a bad device string', async () => {
  // The config names radios by position (meshtastic-config.ts); the third one here is meshtastic2.
  const config = parseConfig({ meshtastic: ['/dev/ttyUSB1', '/dev/ttyUSB2', '/dev/ttyUSB0'] });
  const b = (await meshtasticBearers(config.meshtastic)).bearers[2]!(defaultComponents());
  assert.is(b.name, 'meshtastic2');
  assert.equal([b.status().detail!.device, b.status().detail!.transport, b.status().state], ['/dev/ttyUSB0', 'serial', 'stopped']);
  assert.is(createMeshtasticBearer({ device: 'radio.lan', name: 'roof' }).status().detail!.transport, 'tcp');
  assert.throws(() => createMeshtasticBearer({ device: 'radio.lan:99999', name: 'meshtastic0' }), (e: Error) => e.name === 'MeshtasticDeviceSpecError');
});

test('a configured TCP radio comes up and honours the hop limit override', async () => {
  const sim = await startMeshtasticSim({ tcpPort: 0, seed: 9 });
  const b = createMeshtasticBearer({ device: `127.0.0.1:${sim.tcpPort}`, name: 'meshtastic0', hopLimit: 5, broadcastChannel: 1 });
  try {
    await b.start();
    const t0 = Date.now();
    while (b.status().state !== 'up') {
      if (Date.now() - t0 > 20_000) throw new Error('not up');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.is(b.status().detail!.hopLimit, 5);
    assert.ok(b.canReach('*'), 'broadcasts go to channel 1');
  } finally {
    await b.stop();
    await sim.stop();
  }
});

test.run();
