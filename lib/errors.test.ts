import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AbortError, ChannelOutOfBandError, TextTooLongError } from './errors.js';

test("AbortError: the platform's stable name, a message, the abort reason as cause", () => {
  const reason = new Error('bearer stopped');
  const e = new AbortError('send aborted', { cause: reason });
  assert.is(e.name, 'AbortError');
  assert.is(e.message, 'send aborted');
  assert.is(e.cause, reason);
  assert.ok(e instanceof Error);
  assert.is(new AbortError().message, 'the operation was aborted');
  // The same name as the platform's, so one check covers ours and theirs.
  assert.is(AbortSignal.abort().reason.name, e.name);
});

test('a layer subclass adds fields and keeps the name', () => {
  class StoppedError extends AbortError {
    constructor(readonly bearer: string) {
      super(`${bearer} stopped`);
    }
  }
  const e = new StoppedError('lora0');
  assert.is(e.name, 'AbortError');
  assert.is(e.bearer, 'lora0');
  assert.ok(e instanceof AbortError);
});

test('TextTooLongError and ChannelOutOfBandError carry their fields', () => {
  const t = new TextTooLongError(5000, 4);
  assert.equal([t.name, t.bytes, t.maxParts], ['TextTooLongError', 5000, 4]);
  const c = new ChannelOutOfBandError('EU868', 868_550_000, 125_000);
  assert.equal([c.name, c.region, c.frequencyHz, c.bandwidthHz], ['ChannelOutOfBandError', 'EU868', 868_550_000, 125_000]);
  assert.match(c.message, /868\.55 MHz with 125 kHz/);
});

test.run();
