/**
 * One broker's link against a real mosquitto (testing/mosquitto.ts): the queue of a broker that is down is bounded
 * and drops the oldest (counted), drains completely after the broker comes back, and reconnects with back-off that
 * doubles to at most 30 s. The link's timers run on a ManualClock, so the test says when the next attempt happens.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type MqttClient } from 'mqtt';
import { freePort } from '../../../lib/testing/free-port.js';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { createLogger, setLogSink } from '../../log/logger.js';
import { createMetrics } from '../../metrics/metrics.js';
import { BrokerLink } from './broker-link.js';
import { LinkMetrics } from './link-metrics.js';
import { startMosquitto } from './testing/mosquitto.js';

setLogSink(() => undefined, 'silent');

async function subscriber(url: string, topic: string): Promise<{ client: MqttClient; got: string[] }> {
  const client = connect(url, { reconnectPeriod: 0 });
  const got: string[] = [];
  client.on('message', (_t, p) => got.push(p.toString()));
  await new Promise<void>((resolve, reject) => client.once('connect', () => client.subscribe(topic, { qos: 1 }, (err) => (err ? reject(err) : resolve()))).once('error', reject));
  return { client, got };
}

test('a broker that is down: bounded drop-oldest queue (counted), complete drain in order after it comes back', async () => {
  const port = await freePort();
  const clock = new ManualClock();
  const metrics = createMetrics({ defaultMetrics: false });
  const m = new LinkMetrics('mqtt1', metrics);
  const link = new BrokerLink({ name: 'mqtt1', url: `mqtt://127.0.0.1:${port}`, clientId: 'link-test', queue: 3, clock, log: createLogger('t'), metrics: m });
  link.start();
  await waitFor('the first attempt to fail', () => link.status().nextAttemptInMs !== undefined);
  for (let i = 1; i <= 5; i++) link.publish('t/q', new TextEncoder().encode(`m${i}`));
  assert.is(link.status().queued, 3);
  assert.is(m.get('dropped.queue-full'), 2);
  assert.match(await metrics.render(), /lattice_mqtt_dropped_total\{reason="queue-full"\} 2/);
  const broker = await startMosquitto({ port });
  const sub = await subscriber(broker.url, 't/#');
  try {
    await clock.advance(1000);
    await waitFor('the whole queue to drain', () => sub.got.length >= 3);
    assert.equal(sub.got, ['m3', 'm4', 'm5']);
    // The subscriber may see a message before the link has the broker's PUBACK for it.
    await waitFor('every PUBACK', () => m.get('published') === 3);
    assert.is(link.status().queued, 0);
  } finally {
    sub.client.end(true);
    await link.stop();
    await broker.stop();
  }
});

test('back-off doubles from 1 s and is capped at 30 s', async () => {
  const port = await freePort();
  const clock = new ManualClock();
  const link = new BrokerLink({ name: 'mqtt1', url: `mqtt://127.0.0.1:${port}`, clientId: 'backoff-test', clock, log: createLogger('t'), metrics: new LinkMetrics('mqtt1') });
  link.start();
  const delays: number[] = [];
  try {
    for (let i = 0; i < 7; i++) {
      const wait = await waitFor(`failed attempt ${i + 1}`, () => link.status().nextAttemptInMs);
      delays.push(wait);
      await clock.advance(wait);
    }
    assert.equal(delays, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  } finally {
    await link.stop();
  }
});

test('a rate limit paces the drain without dropping', async () => {
  const broker = await startMosquitto();
  const clock = new ManualClock();
  const m = new LinkMetrics('mqtt1');
  const sub = await subscriber(broker.url, 'r/#');
  const link = new BrokerLink({ name: 'mqtt1', url: broker.url, clientId: 'rate-test', rateLimit: { perSecond: 1, burst: 2 }, clock, log: createLogger('t'), metrics: m });
  try {
    for (let i = 1; i <= 4; i++) link.publish('r/x', new TextEncoder().encode(`r${i}`));
    link.start();
    await waitFor('the burst', () => sub.got.length >= 2);
    assert.is(link.status().queued, 2, 'the rest waits for tokens');
    await clock.advance(1000);
    await waitFor('one more after a second', () => sub.got.length >= 3);
    await clock.advance(1000);
    await waitFor('the last', () => sub.got.length >= 4);
    assert.equal(sub.got, ['r1', 'r2', 'r3', 'r4']);
    assert.is(m.get('dropped.queue-full'), 0);
  } finally {
    sub.client.end(true);
    await link.stop();
    await broker.stop();
  }
});

test.run();
