import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toHex } from '../bytes.js';
import { PUBLIC_CHANNEL_SECRET_HEX } from '../codes.js';
import { ChannelTable } from './channel-table.js';
import { applyChannels, resolveChannel } from './channel-spec.js';

test('public, hashtag and explicit keys (hex or base64) resolve as the firmware and the apps derive them', () => {
  assert.is(toHex(resolveChannel({ name: 'public' }).secret), PUBLIC_CHANNEL_SECRET_HEX);
  assert.is(toHex(resolveChannel({ name: '#test' }).secret), '9cd8fcf22a47333b591d96a2b848b73f');
  assert.is(toHex(resolveChannel({ name: 'ops', key: '00112233445566778899aabbccddeeff' }).secret), '00112233445566778899aabbccddeeff');
  assert.is(toHex(resolveChannel({ name: 'pub', key: 'izOH6cXN6mrJ5e26oRXNcg==' }).secret), PUBLIC_CHANNEL_SECRET_HEX);
  for (const bad of [{ name: 'ops' }, { name: '#' }, { name: 'x', key: 'abcd' }, { name: '', key: '00112233445566778899aabbccddeeff' }]) {
    assert.throws(() => resolveChannel(bad), (e: Error) => e.name === 'CompanionChannelSpecError', JSON.stringify(bad));
  }
});

test('applied to the table: Public stays in slot 0, others take free slots, a full table is a named error', () => {
  const t = new ChannelTable(3);
  applyChannels(t, [{ name: 'public' }, { name: '#de' }, { name: '#nl' }]);
  assert.equal(t.all().map((c) => c.name), ['Public', '#de', '#nl']);
  assert.throws(() => applyChannels(t, [{ name: '#be' }]), (e: Error) => e.name === 'CompanionChannelSpecError');
});

test.run();
