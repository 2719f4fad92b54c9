/** TXT_MSG plaintext and its ACK code (BaseChatMesh::composeMsgPacket / onPeerDataRecv). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { decodeTextPayload, encodeTextPayload, textAckCode, TXT_TYPE } from './text-payload.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pk = new Uint8Array(32).fill(0xab);

test('plain text: ts u32 LE · attempt & 3 · text; ACK = SHA-256(ts · flags · text ‖ sender pk)[0..4]', () => {
  const b = encodeTextPayload({ senderTimestamp: 0x01020304, txtType: TXT_TYPE.PLAIN, attempt: 2, text: 'hi' });
  assert.is(hex(b), '04030201' + '02' + '6869');
  const ack = createHash('sha256').update(b).update(pk).digest().readUInt32LE(0);
  assert.is(textAckCode(b, b.length, pk), ack);
  // The receiver sees the zero padding and hashes only up to the text's end.
  const padded = new Uint8Array(16);
  padded.set(b);
  const d = decodeTextPayload(padded)!;
  assert.equal([d.senderTimestamp, d.txtType, d.attempt, d.text], [0x01020304, 0, 2, 'hi']);
  assert.is(textAckCode(padded, 5 + d.textBytes.length, pk), ack);
});

test('attempt > 3 goes in the tail after a NUL (flags keep attempt & 3), and is read back', () => {
  const b = encodeTextPayload({ senderTimestamp: 1, txtType: 0, attempt: 6, text: 'abc' });
  assert.is(hex(b), '01000000' + '02' + '616263' + '00' + '06');
  const padded = new Uint8Array(16);
  padded.set(b);
  assert.is(decodeTextPayload(padded)!.attempt, 6);
});

test('signed (room) text: author prefix[4] before the text; CLI type in the flags', () => {
  const b = encodeTextPayload({ senderTimestamp: 2, txtType: TXT_TYPE.SIGNED_PLAIN, attempt: 0, authorPrefix: Uint8Array.of(1, 2, 3, 4), text: 'x' });
  assert.is(hex(b), '02000000' + '08' + '01020304' + '78');
  const d = decodeTextPayload(b)!;
  assert.is(hex(d.authorPrefix!), '01020304');
  assert.is(d.text, 'x');
  assert.is(encodeTextPayload({ senderTimestamp: 0, txtType: TXT_TYPE.CLI_DATA, attempt: 1, text: 'ver' })[4], 0x05);
});

test('too short → undefined', () => {
  assert.is(decodeTextPayload(new Uint8Array(5)), undefined);
  assert.is(decodeTextPayload(Uint8Array.of(0, 0, 0, 0, 8, 1, 2)), undefined);
});

test.run();
