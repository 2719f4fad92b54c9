import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Channel, Config } from '@meshtastic/protobufs';
import { DEFAULT_PSK, channelHash, channelName, compileChannelTable, expandPsk, modemPresetDisplayName } from './channel-keys.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const P = Config.Config_LoRaConfig_ModemPreset;
const ch = (index: number, role: Channel.Channel_Role, name: string, psk: number[]) =>
  create(Channel.ChannelSchema, { index, role, settings: { name, psk: Uint8Array.from(psk) } });

test('PSK expansion follows Channels::getKey', () => {
  assert.is(expandPsk(new Uint8Array(0)).length, 0);
  assert.is(expandPsk(Uint8Array.of(0)).length, 0, '1 byte 0 = encryption off');
  assert.is(hex(expandPsk(Uint8Array.of(1))), hex(DEFAULT_PSK));
  assert.is(Buffer.from(expandPsk(Uint8Array.of(1))).toString('base64'), '1PG7OiApB1nwvP+rz05pAQ==');
  assert.is(hex(expandPsk(Uint8Array.of(2))), 'd4f1bb3a20290759f0bcffabcf4e6902', 'index 2 bumps the last byte');
  assert.is(expandPsk(Uint8Array.of(0xff))[15], (0x01 + 0xfe) & 0xff, 'uint8_t arithmetic');
  assert.is(hex(expandPsk(Uint8Array.of(0xaa, 0xbb))), 'aabb' + '00'.repeat(14));
  assert.is(expandPsk(new Uint8Array(15).fill(7)).length, 16);
  assert.is(expandPsk(new Uint8Array(16).fill(7)).length, 16);
  assert.is(hex(expandPsk(new Uint8Array(17).fill(7))), '07'.repeat(17) + '00'.repeat(15));
  assert.is(expandPsk(new Uint8Array(32).fill(7)).length, 32);
});

test('a PSK longer than 32 bytes is MeshtasticChannelKeyError', () => {
  try {
    expandPsk(new Uint8Array(33), 3);
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'MeshtasticChannelKeyError');
    assert.is((err as { index: number }).index, 3);
  }
});

test('empty channel name = preset display name (DisplayFormatters::getModemPresetDisplayName); "Default" is empty', () => {
  assert.is(channelName(''), 'LongFast');
  assert.is(channelName('Default', { modemPreset: P.MEDIUM_SLOW }), 'MediumSlow');
  assert.is(channelName('', { usePreset: false, modemPreset: P.SHORT_FAST }), 'Custom');
  assert.is(channelName('admin'), 'admin');
  assert.is(modemPresetDisplayName({ modemPreset: P.LONG_MODERATE }), 'LongMod');
  // 2.7.26 has no display name for VERY_LONG_SLOW (deprecated): "Invalid"
  assert.is(modemPresetDisplayName({ modemPreset: P.VERY_LONG_SLOW }), 'Invalid');
});

test('default-key hashes of research §2.3: LongFast 0x08, LongSlow 0x0f, ... ShortTurbo 0x0e', () => {
  const key = expandPsk(Uint8Array.of(1));
  const expected: [number, number][] = [
    [P.LONG_FAST, 0x08], [P.LONG_SLOW, 0x0f], [P.LONG_MODERATE, 0x6e], [P.LONG_TURBO, 0x76], [P.MEDIUM_FAST, 0x1f],
    [P.MEDIUM_SLOW, 0x18], [P.SHORT_FAST, 0x70], [P.SHORT_SLOW, 0x77], [P.SHORT_TURBO, 0x0e],
  ];
  for (const [preset, hash] of expected) {
    const name = modemPresetDisplayName({ modemPreset: preset });
    assert.is(channelHash(name, key), hash, name);
  }
  // MediumTurbo 0x61 is in the research list but 2.7.26's preset enum has no MEDIUM_TURBO: the name alone
  assert.is(channelHash('MediumTurbo', key), 0x61);
  // AQ== and the full default key hash alike: the hash is over the expanded key
  assert.is(channelHash('LongFast', DEFAULT_PSK), 0x08);
});

test('compiled table: primary, keyless secondary borrows the primary key, disabled and missing are undefined', () => {
  const table = compileChannelTable([
    ch(0, Channel.Channel_Role.PRIMARY, '', [1]),
    ch(1, Channel.Channel_Role.SECONDARY, 'second', []),
    ch(2, Channel.Channel_Role.DISABLED, 'off', [1]),
    ch(4, Channel.Channel_Role.SECONDARY, 'open', [0]),
    create(Channel.ChannelSchema, { index: 5, role: Channel.Channel_Role.SECONDARY }), // no settings
  ]);
  assert.is(table[0]!.name, 'LongFast');
  assert.is(table[0]!.hash, 0x08);
  assert.is(hex(table[1]!.key), hex(DEFAULT_PSK));
  assert.is(table[1]!.hash, channelHash('second', DEFAULT_PSK));
  assert.is(table[2], undefined);
  assert.is(table[3], undefined);
  assert.is(table[4]!.key.length, 0);
  assert.is(table[4]!.hash, channelHash('open', new Uint8Array(0)));
  assert.is(table[5], undefined);
});

test('the primary is the PRIMARY channel wherever it sits, not index 0', () => {
  const table = compileChannelTable([
    ch(0, Channel.Channel_Role.SECONDARY, 'a', []),
    ch(1, Channel.Channel_Role.PRIMARY, 'p', [0x11, 0x22]),
  ]);
  assert.is(hex(table[0]!.key), '1122' + '00'.repeat(14));
});

test('a keyless secondary with no PRIMARY anywhere gets no key instead of recursing forever', () => {
  const table = compileChannelTable([ch(0, Channel.Channel_Role.SECONDARY, 'a', [])]);
  assert.is(table[0]!.key.length, 0);
});

test.run();
