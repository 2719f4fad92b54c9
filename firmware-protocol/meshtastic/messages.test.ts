import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Portnums, buildMeshPacket, dataFits, disconnectToRadio, heartbeatToRadio, packetToRadio, queueStatusResName, routingErrorName, wantConfigToRadio } from './messages.js';
import { maxPayloadBytes } from './payload-limits.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// Byte vectors as @bufbuild/protobuf toBinary encodes them with @meshtastic/protobufs 2.7.18's ToRadio schema.
test('ToRadio want_config_id = 12345 is 18 b9 60', () => {
  assert.is(hex(wantConfigToRadio(12345)), '18b960');
});

test('broadcast "hi", id 0x12345678, hop_limit 3, channel 0', () => {
  const p = buildMeshPacket({ to: 0xffffffff, channel: 0, portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode('hi'), id: 0x12345678, hopLimit: 3, wantAck: false });
  assert.is(hex(packetToRadio(p)), '0a1415ffffffff22060801120268693578563412' + '4803');
});

test('heartbeat (field 7, nonce 0) and disconnect (field 4)', () => {
  assert.is(hex(heartbeatToRadio()), '3a00');
  assert.is(hex(disconnectToRadio()), '2001');
});

test('size limits follow the firmware: 255 = 16 header + Data (+12 for PKI)', () => {
  const T = Portnums.PortNum.TEXT_MESSAGE_APP;
  assert.ok(dataFits(T, new Uint8Array(232), false));
  assert.not.ok(dataFits(T, new Uint8Array(234), false));
  assert.ok(dataFits(T, new Uint8Array(220), true));
  assert.not.ok(dataFits(T, new Uint8Array(222), true));
  // payload-limits.ts states the same limits without the schemas: exactly the largest payloads dataFits accepts.
  for (const pki of [false, true]) {
    assert.ok(dataFits(T, new Uint8Array(maxPayloadBytes(pki)), pki));
    assert.not.ok(dataFits(T, new Uint8Array(maxPayloadBytes(pki) + 1), pki));
  }
});

test('error names: Routing errors, and QueueStatus codes where ERRNO_* and Routing.Error overlap', () => {
  assert.is(routingErrorName(38), 'RATE_LIMIT_EXCEEDED');
  assert.is(routingErrorName(5), 'MAX_RETRANSMIT');
  assert.is(routingErrorName(32), 'BAD_REQUEST');
  assert.match(queueStatusResName(32, 0), /tx queue full/);
  assert.is(queueStatusResName(39, 5), 'PKI_SEND_FAIL_PUBLIC_KEY');
});

test.run();
