import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startMeshtasticSim } from '../../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import { createMeshtasticBearer } from './create-meshtastic-bearer.js';

test('names the bearer by index, reports the device, refuses a bad device string', () => {
  const b = createMeshtasticBearer({ device: '/dev/ttyUSB0' }, 2);
  assert.is(b.name, 'meshtastic2');
  assert.equal([b.status().detail!.device, b.status().detail!.transport, b.status().state], ['/dev/ttyUSB0', 'serial', 'stopped']);
  assert.is(createMeshtasticBearer({ device: 'radio.lan', name: 'roof' }, 0).status().detail!.transport, 'tcp');
  assert.throws(() => createMeshtasticBearer({ device: 'radio.lan:99999' }, 0), (e: Error) => e.name === 'MeshtasticDeviceSpecError');
});

test('a configured TCP radio comes up and honours the hop limit override', async () => {
  const sim = await startMeshtasticSim({ tcpPort: 0, seed: 9 });
  const b = createMeshtasticBearer({ device: `127.0.0.1:${sim.tcpPort}`, hopLimit: 5, broadcastChannel: 1 }, 0);
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
