import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../lib/testing/virtual-clock.js';
import { meshCoreModulation } from '../../../lib/lora/meshcore-presets.js';
import { MemoryAir } from './memory-air.js';
import { TestNetwork } from './testing/mesh-network.js';

const modulation = meshCoreModulation('EU_UK_NARROW');

test('a frame reaches linked radios only, after its time on air, with the link SNR and RSSI', async () => {
  const clock = new VirtualClock();
  const air = new MemoryAir({ clock, modulation });
  air.linkOneWay('a', 'b', { snrDb: -4.5, rssiDbm: -110 });
  const heard: [string, number, number, number][] = [];
  for (const n of ['a', 'b', 'c']) air.radio(n).onReceive((f) => heard.push([n, f.snrDb, f.rssiDbm, clock.now()]));
  const t0 = clock.now();
  const { airtimeMs } = await air.radio('a').transmit(Uint8Array.of(1, 2, 3));
  assert.is(airtimeMs, air.airtimeMs(3));
  assert.equal(heard, [['b', -4.5, -110, t0 + airtimeMs]]);
  await air.radio('b').transmit(Uint8Array.of(4)); // one way: a does not hear b
  assert.is(heard.length, 1);
});

test('a receiver reports a busy channel while a frame is on air; a transmitting radio hears nothing (half duplex)', async () => {
  const clock = new VirtualClock();
  const air = new MemoryAir({ clock, modulation });
  air.link('a', 'b');
  let bHeard = 0;
  air.radio('b').onReceive(() => bHeard++);
  const sending = air.radio('a').transmit(new Uint8Array(50));
  assert.ok(await air.radio('b').channelBusy());
  assert.not.ok(await air.radio('a').channelBusy());
  await air.radio('b').transmit(Uint8Array.of(1)); // b talks over it: it loses a's frame
  await sending;
  assert.is(bHeard, 0);
  assert.not.ok(await air.radio('b').channelBusy());
});

test('with collisions on, two overlapping frames are both lost at a receiver that hears both', async () => {
  for (const collisions of [false, true]) {
    const clock = new VirtualClock();
    const air = new MemoryAir({ clock, modulation, collisions });
    air.link('a', 'c').link('b', 'c');
    let heard = 0;
    air.radio('c').onReceive(() => heard++);
    await Promise.all([air.radio('a').transmit(new Uint8Array(20)), air.radio('b').transmit(new Uint8Array(20))]);
    assert.is(heard, collisions ? 0 : 2, `collisions ${collisions}`);
  }
});

test('a mesh holds its frame while it hears one (isReceiving) and sends once the channel is clear', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock, modulation, true);
  const a = net.add('A');
  const b = net.add('B');
  net.add('C');
  net.air.link('A', 'B').link('B', 'C').link('A', 'C');
  a.mesh.sendZeroHop(a.mesh.createRawData(new Uint8Array(150)));
  // B's frame is queued just after A's has started: B waits for it to end, so C hears both.
  await clock.sleep(100);
  b.mesh.sendZeroHop(b.mesh.createRawData(new Uint8Array(10)));
  await clock.sleep(30_000);
  const [ta, tb] = [net.air.sentBy('A')[0], net.air.sentBy('B')[0]];
  assert.ok(tb.startMs >= ta.endMs, `B started at +${tb.startMs - ta.startMs} ms, A's frame ended at +${ta.endMs - ta.startMs} ms`);
  assert.equal(ta.heardBy.sort(), ['B', 'C']);
  assert.equal(tb.heardBy.sort(), ['A', 'C']);
  await net.stop();
});

test.run();
