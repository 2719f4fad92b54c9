/**
 * What the API accepts as input, beyond the shape of a send: JSON must be UTF-8 (another charset is a 415, bytes that
 * are not UTF-8 a 400, never silently replaced), and a recipient that cannot be an address is a named 400.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { generateIdentity } from '../identity/identity.js';
import { captureLogs } from '../log/testing/capture-logs.js';
import { ApiServer } from './api-server.js';
import { FakeRelayNode } from './testing/fake-relay-node.js';
import { rawRequest } from './testing/raw-request.js';

const raw = rawRequest;

async function withServer(fn: (url: string, node: FakeRelayNode) => Promise<void>): Promise<void> {
  const node = new FakeRelayNode();
  const server = new ApiServer({ node, host: '127.0.0.1', port: 0 });
  await server.start();
  try {
    await fn(server.url!, node);
  } finally {
    await server.stop();
  }
}

const logs = captureLogs('warn');
test.after(() => logs.restore());

const send = (url: string, body: string | Buffer, type = 'application/json') => raw(url, 'POST', '/send', { body, headers: { 'content-type': type } });

test('a charset other than UTF-8 is refused with 415 UnsupportedCharsetError; UTF-8 labels pass', () =>
  withServer(async (url, node) => {
    const latin1 = Buffer.from('{"to":"*","text":"café"}', 'latin1');
    for (const type of ['application/json; charset=latin1', 'application/json;charset=ISO-8859-1', 'application/json; charset="utf-16"', 'application/json; charset=windows-1252; x=1']) {
      const r = await send(url, latin1, type);
      assert.is(r.status, 415, type);
      assert.is(r.json.error.name, 'UnsupportedCharsetError', type);
      assert.match(r.json.error.message, /must be UTF-8/);
    }
    assert.is(node.sent.length, 0, 'nothing sent');
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'Application/JSON;Charset=utf8']) {
      const r = await send(url, Buffer.from('{"to":"*","text":"café ☕"}', 'utf8'), type);
      assert.is(r.status, 202, type);
    }
    assert.equal(node.sent.map((s) => s.text), Array(4).fill('café ☕'), 'read as the UTF-8 it is');
  }));

test('bytes that are not UTF-8 are refused with 400 InvalidUtf8Error, not replaced', () =>
  withServer(async (url, node) => {
    const bad: [string, Buffer][] = [
      ['a latin-1 é', Buffer.concat([Buffer.from('{"to":"*","text":"caf'), Buffer.from([0xe9]), Buffer.from('"}')])],
      ['an overlong /', Buffer.concat([Buffer.from('{"to":"*","text":"a'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
      ['a UTF-16 surrogate', Buffer.concat([Buffer.from('{"to":"*","text":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
      ['a cut sequence', Buffer.concat([Buffer.from('{"to":"*","text":"'), Buffer.from([0xe2, 0x98]), Buffer.from('"}')])],
    ];
    for (const [what, body] of bad) {
      const r = await send(url, body);
      assert.is(r.status, 400, what);
      assert.is(r.json.error.name, 'InvalidUtf8Error', what);
    }
    assert.is(node.sent.length, 0);
    // A UTF-8 byte order mark is allowed (RFC 8259 §8.1) and dropped.
    const bom = await send(url, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"to":"*","text":"ok"}')]));
    assert.is(bom.status, 202);
    // Percent-escapes in the query that decode to non-UTF-8 bytes, too.
    const q = await raw(url, 'GET', '/inbox?limit=%ff');
    assert.is(q.status, 400);
    assert.is(q.json.error.name, 'InvalidUtf8Error');
    assert.match(q.json.error.message, /query parameter "limit"/);
  }));

test('POST /send to something that cannot be an address: 400 InvalidRecipientError (never a 500)', () =>
  withServer(async (url, node) => {
    const invalid = [
      'f'.repeat(64), // y not reduced mod p
      '0'.repeat(64), // a point of order 4: no shared secret
      `${'0'.repeat(62)}80`, // the same with the sign bit
      `01${'00'.repeat(31)}`, // the neutral point
      'mt:garbage', 'mt:!zz', 'mt:!1234567', 'mt:!00000000', 'mt:!ffffffff', 'mt:', 'mt:ch:8', 'mt:ch:-1', 'mt:ch:',
      'mc:', 'mc:abc', 'mc:zz', `mc:${'a'.repeat(66)}`, 'mc:ch:256', 'mc:ch:x',
      'a'.repeat(63), 'a'.repeat(65), 'abcdef0123456', 'g'.repeat(64), `${'a'.repeat(63)}z`, // mistyped node ids
    ];
    for (const to of invalid) {
      const r = await send(url, JSON.stringify({ to, text: 'hi' }));
      assert.is(r.status, 400, to);
      assert.is(r.json.error.name, 'InvalidRecipientError', to);
    }
    for (const to of ['nobody', 'abcdefghijk2', 'abcdef234567', 'alice@example']) {
      const r = await send(url, JSON.stringify({ to, text: 'hi' }));
      assert.is(r.status, 400, to);
      assert.is(r.json.error.name, 'UnknownPeerError', to);
    }
    assert.is(node.sent.length, 0);
    const someNode = generateIdentity().nodeIdHex;
    const mcKey = createHash('sha256').update('a meshcore key').digest('hex');
    for (const to of [someNode, 'mt:!a1b2c3d4', 'mt:ch:0', 'mt:ch:7', 'mc:ch:0', 'mc:ch:255', `mc:${mcKey}`, `mc:${mcKey.slice(0, 12)}`]) {
      const r = await send(url, JSON.stringify({ to, text: 'hi' }));
      assert.is(r.status, 202, to);
    }
  }));

test.run();
