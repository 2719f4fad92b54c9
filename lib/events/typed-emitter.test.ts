import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TypedEmitter } from './typed-emitter.js';

interface Events {
  frame: (bytes: Uint8Array, from: string) => void;
  peer: (e: { peer: string; up: boolean }) => void;
}

test('on/emit are typed by the events map; on returns the unsubscribe function', () => {
  const em = new TypedEmitter<Events>();
  const got: string[] = [];
  const off = em.on('frame', (bytes, from) => got.push(`${from}:${bytes.length}`));
  em.on('peer', (e) => got.push(`${e.peer}:${e.up}`));
  em.emit('frame', Uint8Array.of(1, 2), 'a');
  em.emit('peer', { peer: 'b', up: true });
  off();
  off();
  em.emit('frame', Uint8Array.of(1), 'c');
  assert.equal(got, ['a:2', 'b:true']);
});

test('a throwing listener is reported with its event and never reaches emit nor the other listeners', () => {
  const reported: Array<[unknown, string]> = [];
  const em = new TypedEmitter<Events>({ onListenerError: (err, event) => reported.push([err, event]) });
  const got: string[] = [];
  const boom = new Error('listener bug');
  em.on('peer', () => {
    throw boom;
  });
  em.on('peer', (e) => got.push(e.peer));
  em.emit('peer', { peer: 'p', up: false });
  assert.equal(got, ['p']);
  assert.equal(reported, [[boom, 'peer']]);
});

test('without a reporter a throwing listener becomes a process warning naming the event', async () => {
  const em = new TypedEmitter<Events>();
  const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
  em.on('frame', () => {
    throw new Error('bad listener');
  });
  em.emit('frame', new Uint8Array(0), 'x');
  const w = await warned;
  assert.is(w.name, 'ListenerError');
  assert.match(w.message, /"frame"/);
  assert.match(w.message, /bad listener/);
});

test('emit calls the listeners subscribed when it started, whatever they subscribe or unsubscribe meanwhile', () => {
  const em = new TypedEmitter<Events>();
  const got: string[] = [];
  let offB = (): void => undefined;
  em.on('peer', () => {
    got.push('a');
    offB();
    em.on('peer', () => got.push('late'));
  });
  offB = em.on('peer', () => got.push('b'));
  em.emit('peer', { peer: 'x', up: true });
  assert.equal(got, ['a', 'b']);
  got.length = 0;
  em.emit('peer', { peer: 'x', up: true });
  assert.equal(got, ['a', 'late']);
});

test('a listener subscribed twice is called once and removed by one unsubscribe', () => {
  const em = new TypedEmitter<Events>();
  let calls = 0;
  const l = () => void calls++;
  const off1 = em.on('peer', l);
  em.on('peer', l);
  em.emit('peer', { peer: 'x', up: true });
  assert.is(calls, 1);
  off1();
  em.emit('peer', { peer: 'x', up: true });
  assert.is(calls, 1);
});

test('listening() tells whether an event has listeners; clear() removes them all', () => {
  const em = new TypedEmitter<Events>();
  assert.is(em.listening('frame'), false);
  const off = em.on('frame', () => undefined);
  em.on('peer', () => undefined);
  assert.is(em.listening('frame'), true);
  off();
  assert.is(em.listening('frame'), false);
  em.clear();
  assert.is(em.listening('peer'), false);
});

test.run();
