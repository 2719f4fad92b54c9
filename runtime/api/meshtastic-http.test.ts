/**
 * The firmware's HTTP API on a relay running the simulated default (its native Meshtastic node `mt-sim`), spoken as
 * the official web client's HTTP transport does (raw protobufs over fetch: @meshtastic/core in node_modules has no
 * HTTP transport): PUT a ToRadio want_config_id, GET /api/v1/fromradio until the config_complete_id with the same
 * nonce, in the firmware's order (my_info first, 8 channels, config, module config, node infos).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { RelayProcess } from '../daemon/testing/relay-process.js';

let root = '';
let relay: RelayProcess;

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'lattice-mthttp-'));
  relay = new RelayProcess({ dataDir: join(root, 'r'), sim: true });
  await relay.start();
});

test.after(async () => {
  await relay?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('want_config over /api/v1/toradio and /api/v1/fromradio: the firmware handshake, CORS as the firmware', async () => {
  const pre = await fetch(`${relay.api}/api/v1/toradio`, { method: 'OPTIONS', headers: { origin: 'https://client.meshtastic.org', 'access-control-request-method': 'PUT' } });
  assert.is(pre.status, 204);
  assert.is(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PUT/);

  const nonce = 0x1234567;
  const put = await fetch(`${relay.api}/api/v1/toradio`, {
    method: 'PUT',
    headers: { 'content-type': 'application/x-protobuf' },
    body: toBinary(Mesh.ToRadioSchema, create(Mesh.ToRadioSchema, { payloadVariant: { case: 'wantConfigId', value: nonce } })),
  });
  assert.is(put.status, 200);
  assert.is(put.headers.get('content-type'), 'application/x-protobuf');

  const seen: string[] = [];
  let myNodeNum = 0;
  let channels = 0;
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${relay.api}/api/v1/fromradio?all=false`);
    assert.is(r.status, 200);
    assert.is(r.headers.get('access-control-allow-origin'), '*');
    const bytes = new Uint8Array(await r.arrayBuffer());
    assert.ok(bytes.length > 0, `a FromRadio at step ${i} (the handshake is not over)`);
    const fr = fromBinary(Mesh.FromRadioSchema, bytes);
    const v = fr.payloadVariant;
    seen.push(v.case ?? 'unknown');
    if (v.case === 'myInfo') myNodeNum = v.value.myNodeNum;
    if (v.case === 'channel') channels++;
    if (v.case === 'configCompleteId') {
      assert.is(v.value, nonce);
      break;
    }
  }
  assert.is(seen[0], 'myInfo');
  assert.is(seen[seen.length - 1], 'configCompleteId');
  assert.is(channels, 8);
  for (const kind of ['nodeInfo', 'metadata', 'config', 'moduleConfig']) assert.ok(seen.includes(kind), `${kind} in ${seen.join(',')}`);
  const status = await relay.get('/status');
  const native = (status.bearers as { name: string; detail: { nodeNum: number } }[]).find((b) => b.name === 'mt-sim')!;
  assert.is(myNodeNum, native.detail.nodeNum, "the native node's own number");
  // After the handshake the session is in PACKETS: mesh traffic or an empty body when none waits (the client polls).
  const after = await fetch(`${relay.api}/api/v1/fromradio`);
  assert.is(after.status, 200);
});

test('a ToRadio larger than the firmware takes is refused whole (413)', async () => {
  const r = await fetch(`${relay.api}/api/v1/toradio`, { method: 'PUT', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(600) });
  assert.is(r.status, 413);
  assert.is(((await r.json()) as { error: { name: string } }).error.name, 'BodyTooLargeError');
});

test.run();
