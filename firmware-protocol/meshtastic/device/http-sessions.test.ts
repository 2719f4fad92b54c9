/**
 * The firmware's HTTP API sessions over the simulator's device side (SimDevice's DeviceService): two sessions
 * complete their own want_config handshakes interleaved (one shared PhoneAPI, as the firmware's single `webAPI`,
 * would restart the first when the second asks), a mesh text reaches both, nothing is pushed before a GET asks, an
 * idle session ends and gives its place back, the least recently used one makes room, and the service's ToRadio
 * idle timeout leaves a polling HTTP client alone (HttpAPI::checkIsConnected is always true).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { SimDevice } from '../sim/sim-device.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { DeviceHttpSessions } from './http-sessions.js';
import type { DeviceHttpClient } from './http-client.js';
import { ToRadioTooLargeError } from './errors.js';

const wantConfig = (nonce: number) => toBinary(Mesh.ToRadioSchema, create(Mesh.ToRadioSchema, { payloadVariant: { case: 'wantConfigId', value: nonce } }));
const read = (c: DeviceHttpClient) => {
  const b = c.fromRadio();
  return b.length === 0 ? undefined : fromBinary(Mesh.FromRadioSchema, b);
};

test('two sessions: interleaved handshakes each end with their own nonce; a mesh text reaches both', async () => {
  const sim = new SimDevice({ seed: 5 });
  const sessions = new DeviceHttpSessions(sim.service);
  sim.service.start();
  try {
    const a = sessions.client('10.0.0.2');
    const b = sessions.client('10.0.0.3');
    assert.is(sessions.size, 2);
    a.toRadio(wantConfig(111));
    const firstOfA = read(a);
    assert.is(firstOfA?.payloadVariant.case, 'myInfo');
    b.toRadio(wantConfig(222));
    const done: Record<string, number> = {};
    for (let i = 0; i < 400 && Object.keys(done).length < 2; i++) {
      for (const [name, c] of [['a', a], ['b', b]] as const) {
        if (done[name] !== undefined) continue;
        const fr = read(c);
        if (fr?.payloadVariant.case === 'configCompleteId') done[name] = fr.payloadVariant.value;
      }
    }
    assert.equal(done, { a: 111, b: 222 });
    assert.is(sessions.client('10.0.0.2'), a, 'the same session, the same client');
    sim.injectText({ from: 0x0a0a0a0a, text: 'hello both' });
    for (const c of [a, b]) {
      const texts: string[] = [];
      await waitFor('the text', () => {
        for (let fr = read(c); fr; fr = read(c)) {
          const v = fr.payloadVariant;
          if (v.case === 'packet' && v.value.payloadVariant.case === 'decoded') texts.push(new TextDecoder().decode(v.value.payloadVariant.value.payload));
        }
        return texts.includes('hello both');
      }, 5_000, 10);
    }
    assert.is(a.fromRadio().length, 0, 'nothing waits: an empty body');
    assert.throws(() => a.toRadio(new Uint8Array(513)), (e: Error) => e.name === 'ToRadioTooLargeError' && (e as ToRadioTooLargeError).limit === 512);
  } finally {
    sessions.clear();
    await sim.stop?.();
  }
});

test('an idle session ends at the next request; beyond `max` the least recently used makes room', () => {
  const sim = new SimDevice({ seed: 6 });
  let now = 0;
  const sessions = new DeviceHttpSessions(sim.service, { now: () => now, idleMs: 1000, max: 2 });
  const a = sessions.client('a');
  now = 500;
  const b = sessions.client('b');
  now = 1400; // a idle 1400 ms > 1000, b 900 ms
  const c = sessions.client('c');
  assert.ok(a.api.closed, 'a ended for idleness');
  assert.not.ok(b.api.closed);
  assert.equal(sessions.stats, { started: 3, idle: 1, evicted: 0 });
  now = 1500;
  sessions.client('b'); // b is now the most recent, c the least
  sessions.client('d');
  assert.ok(c.api.closed, 'c made room');
  assert.not.ok(b.api.closed);
  assert.equal(sessions.stats, { started: 4, idle: 1, evicted: 1 });
  assert.is(sessions.size, 2);
  const again = sessions.client('a');
  assert.is.not(again, a, 'a new session for a client that came back');
  sessions.clear();
});

test("the service's idle timeout leaves an HTTP client that only polls in its session", async () => {
  const sim = new SimDevice({ seed: 7, apiIdleTimeoutMs: 40 });
  const sessions = new DeviceHttpSessions(sim.service);
  sim.service.start();
  try {
    const c = sessions.client('web');
    c.toRadio(wantConfig(9));
    for (let fr = read(c); fr && fr.payloadVariant.case !== 'configCompleteId'; fr = read(c));
    assert.ok(c.api.isSendingPackets);
    // A serial client beside it, silent as long: the service closes that one, which proves the check ran.
    const serial = sim.service.attach({ kind: 'serial', write: () => {}, close: () => {} });
    serial.handleToRadio(wantConfig(10));
    await waitFor('the serial session timed out', () => !serial.isConnected, 5_000, 10);
    assert.ok(c.api.isSendingPackets, 'the HTTP session stays');
  } finally {
    sessions.clear();
    await sim.stop?.();
  }
});

test.run();
