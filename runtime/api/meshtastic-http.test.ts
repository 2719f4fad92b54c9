/**
 * The firmware's HTTP API on a relay running the simulated default (its native Meshtastic node `mt-sim`), spoken as
 * the official web client's HTTP transport does: first raw protobufs over fetch (PUT a ToRadio want_config_id, GET
 * /api/v1/fromradio until the config_complete_id with the same nonce, in the firmware's order), then the official
 * SDK (@meshtastic/core MeshDevice) over the web client's own HTTP transport (testing/meshtastic-http-transport.ts,
 * ported from meshtastic/web: @meshtastic/core in node_modules has none): configured, the mesh's nodes and texts seen,
 * a text sent and acknowledged.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { MeshDevice } from '@meshtastic/core';
import { RelayProcess, eventually, startInHook } from '../daemon/testing/relay-process.js';
import { MeshtasticHttpTransport } from './testing/meshtastic-http-transport.js';
import { request } from 'node:http';

/** One request from a given local address (127.0.0.2 is another HTTP session than 127.0.0.1). */
function from(localAddress: string, method: string, path: string, body?: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const req = request(`${relay.api}${path}`, { method, localAddress, headers: body ? { 'content-type': 'application/x-protobuf' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let root = '';
let relay: RelayProcess;

/** The relay's log lines about the simulated Meshtastic nodes (why a node is missing when a wait fails). */
function simLines(): string {
  return relay.output.split('\n').filter((l) => /Hilltop|Harbour|hilltop|native mesh/.test(l)).slice(-20).join('\n');
}

test.before(async () => {
  root = mkdtempSync(join(tmpdir(), 'lattice-mthttp-'));
  relay = new RelayProcess({ dataDir: join(root, 'r'), sim: true });
  await startInHook(relay);
});

test.after(async () => {
  await relay?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('want_config over /api/v1/toradio and /api/v1/fromradio: the firmware handshake, CORS as the firmware', async () => {
  const pre = await fetch(`${relay.api}/api/v1/toradio`, { method: 'OPTIONS', headers: { origin: 'https://client.meshtastic.org', 'access-control-request-method': 'PUT', 'access-control-request-private-network': 'true' } });
  assert.is(pre.status, 204);
  assert.is(pre.headers.get('access-control-allow-private-network'), 'true');
  assert.is(pre.headers.get('access-control-allow-origin'), 'https://client.meshtastic.org');
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
    const r = await fetch(`${relay.api}/api/v1/fromradio?all=false`, { headers: { origin: 'http://192.168.1.20:8081' } });
    assert.is(r.status, 200);
    assert.is(r.headers.get('access-control-allow-origin'), 'http://192.168.1.20:8081', 'a self-hosted web client on the LAN');
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

test('a page of another origin is refused before it touches the device (403), preflight included', async () => {
  for (const [method, path] of [['GET', '/api/v1/fromradio'], ['PUT', '/api/v1/toradio'], ['OPTIONS', '/api/v1/toradio']] as const) {
    const r = await fetch(`${relay.api}${path}`, { method, headers: { origin: 'https://evil.example', 'content-type': 'application/x-protobuf' }, ...(method === 'PUT' ? { body: new Uint8Array([0x18, 0x01]) } : {}) });
    assert.is(r.status, 403, `${method} ${path}`);
    assert.is(r.headers.get('access-control-allow-origin'), null);
    assert.is(((await r.json()) as { error: { name: string } }).error.name, 'ForbiddenOriginError');
  }
});

test('a ToRadio larger than the firmware takes is refused whole (413)', async () => {
  const r = await fetch(`${relay.api}/api/v1/toradio`, { method: 'PUT', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(600) });
  assert.is(r.status, 413);
  assert.is(((await r.json()) as { error: { name: string } }).error.name, 'BodyTooLargeError');
});

test('two browsers on two addresses are two sessions: interleaved handshakes each complete with their own nonce', async () => {
  const want = (nonce: number) => toBinary(Mesh.ToRadioSchema, create(Mesh.ToRadioSchema, { payloadVariant: { case: 'wantConfigId', value: nonce } }));
  await from('127.0.0.1', 'PUT', '/api/v1/toradio', want(0x1111));
  await from('127.0.0.1', 'GET', '/api/v1/fromradio');
  await from('127.0.0.2', 'PUT', '/api/v1/toradio', want(0x2222));
  const done = new Map<string, number>();
  for (let i = 0; i < 300 && done.size < 2; i++) {
    for (const addr of ['127.0.0.1', '127.0.0.2']) {
      if (done.has(addr)) continue;
      const bytes = await from(addr, 'GET', '/api/v1/fromradio?all=false');
      if (bytes.length === 0) continue;
      const v = fromBinary(Mesh.FromRadioSchema, bytes).payloadVariant;
      if (v.case === 'configCompleteId') done.set(addr, v.value);
    }
  }
  assert.equal(Object.fromEntries(done), { '127.0.0.1': 0x1111, '127.0.0.2': 0x2222 });
});

test("the official SDK over the web client's HTTP transport: configured, sees Hilltop and its lines, sends an acknowledged text", async () => {
  const transport = await MeshtasticHttpTransport.create(`127.0.0.1:${relay.apiPort}`, 200);
  const device = new MeshDevice(transport as unknown as ConstructorParameters<typeof MeshDevice>[0]);
  const log = (device as unknown as { log: { settings: { minLevel: number; type: string } } }).log;
  log.settings.minLevel = 5;
  log.settings.type = 'hidden';
  // The SDK's queue keeps a 60 s timer per packet, never cleared: unref'd, so the finished test does not linger.
  const queue = (device as unknown as { queue: { timeout: number; push: (item: unknown) => void } }).queue;
  queue.timeout = 15_000;
  const push = queue.push.bind(queue);
  queue.push = (item) => {
    const original = globalThis.setTimeout;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => original(...args).unref()) as typeof setTimeout;
    try {
      push(item);
    } finally {
      globalThis.setTimeout = original;
    }
  };
  const statuses: number[] = [];
  const names = new Set<string>();
  const texts: string[] = [];
  let myNodeNum = 0;
  device.events.onDeviceStatus.subscribe((st: number) => statuses.push(st));
  device.events.onMyNodeInfo.subscribe((m: { myNodeNum: number }) => (myNodeNum = m.myNodeNum));
  device.events.onNodeInfoPacket.subscribe((n: { user?: { longName?: string } }) => n.user?.longName && names.add(n.user.longName));
  // A node heard after the handshake arrives as its NodeInfo packet (the firmware sends no node_info after
  // config_complete; the web client's node list takes both): Hilltop announces itself 0.3 s after the sim starts, which
  // on a loaded machine can still be on the air when this handshake is over.
  device.events.onUserPacket.subscribe((u: { data?: { longName?: string } }) => u.data?.longName && names.add(u.data.longName));
  device.events.onMessagePacket.subscribe((m: { data: string }) => texts.push(m.data));
  try {
    void device.configure().catch(() => undefined);
    await eventually('DeviceConfigured', () => statuses.includes(7), 20_000);
    const status = await relay.get('/status');
    assert.is(myNodeNum, (status.bearers as { name: string; detail: { nodeNum: number } }[]).find((b) => b.name === 'mt-sim')!.detail.nodeNum);
    await eventually('Hilltop in the node list', () => names.has('Hilltop'), 20_000).catch((err: Error) => {
      throw new Error(`${err.message} (names: ${[...names].join(', ') || 'none'}; the sim said:\n${simLines()})`);
    });
    await eventually('a line from the mesh', () => texts.length > 0, 30_000);
    // Broadcast with want_ack: acknowledged when the node hears Hilltop rebroadcast it (an implicit ACK).
    const id = await device.sendText('hello from the web client', 'broadcast', true, 0);
    assert.ok(id > 0);
    assert.ok(transport.requests.includes('PUT /api/v1/toradio'));
  } finally {
    await transport.disconnect();
    device.complete();
  }
});

test.run();
