/**
 * The official Python CLI against the device side, byte for byte: each test writes exactly the ToRadio frames
 * `meshtastic --info`, `--set …`, `--set-owner`, `--ch-set`, `--export-config`, `--traceroute`, `--request-telemetry`,
 * `--sendtext --dest` write (testing/python-cli.ts follows meshtastic/python __main__.py, node.py, mesh_interface.py)
 * to the simulated radio and checks what comes back is what firmware 2.7 answers (AdminModule.cpp,
 * CannedMessageModule.cpp, ExternalNotificationModule.cpp, TraceRouteModule.cpp, DeviceTelemetryModule.cpp,
 * RoutingModule.cpp): answered, not echoed; changes kept and shown by the next handshake; one answer per request.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { Admin, Config, Mesh, Portnums, Telemetry } from '@meshtastic/protobufs';
import { SimDevice } from '../sim/sim-device.js';
import { VirtualClock } from '../../../lib/testing/virtual-clock.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { JsonFileDeviceStore } from './json-file-store.js';
import { ByteClient, pythonAdmin, pythonDisconnect, pythonSendData, pythonTelemetryRequest, pythonWantConfig } from './testing/python-cli.js';

const BOB = 0x22222222;
const P = Portnums.PortNum;

/** One CLI invocation: connect (wake bytes + want_config_id), wait for config_complete_id. */
async function connect(device: SimDevice, name = 'python') {
  const c = new ByteClient(name);
  const client = device.attach(c.sink);
  const nonce = 0x5eed0000 + Math.floor(Math.random() * 0xffff);
  client.receive(ByteClient.wake());
  client.receive(ByteClient.frame(pythonWantConfig(nonce)));
  await waitFor('config_complete_id', () => c.configComplete(nonce));
  const send = (toRadio: Uint8Array) => client.receive(ByteClient.frame(toRadio));
  const close = () => {
    send(pythonDisconnect());
    device.detach(client);
  };
  return { c, client, send, close, nonce };
}

function decoded(p: Mesh.MeshPacket): Mesh.Data {
  if (p.payloadVariant.case !== 'decoded') throw new Error('not decoded');
  return p.payloadVariant.value;
}

function routingError(p: Mesh.MeshPacket): Mesh.Routing_Error | undefined {
  const d = decoded(p);
  if (d.portnum !== P.ROUTING_APP) return undefined;
  const r = fromBinary(Mesh.RoutingSchema, d.payload);
  return r.variant.case === 'errorReason' ? r.variant.value : undefined;
}

function admin(p: Mesh.MeshPacket): Admin.AdminMessage {
  assert.is(decoded(p).portnum, P.ADMIN_APP);
  return fromBinary(Admin.AdminMessageSchema, decoded(p).payload);
}

function handshakeConfig(c: ByteClient): { lora?: Config.Config_LoRaConfig; owner?: Mesh.User; channels: Map<number, string> } {
  const out: { lora?: Config.Config_LoRaConfig; owner?: Mesh.User; channels: Map<number, string> } = { channels: new Map() };
  let first = true;
  for (const f of c.frames) {
    const v = f.payloadVariant;
    if (v.case === 'config' && v.value.payloadVariant.case === 'lora') out.lora = v.value.payloadVariant.value;
    if (v.case === 'nodeInfo' && first) {
      out.owner = v.value.user;
      first = false;
    }
    if (v.case === 'channel') out.channels.set(v.value.index, v.value.settings?.name ?? '');
  }
  return out;
}

function setup(store?: JsonFileDeviceStore) {
  const clock = new VirtualClock();
  const device = new SimDevice({ seed: 5, clock, store });
  return { clock, device };
}

test('--info / --nodes: the wake bytes are tolerated and the handshake completes with the nonce', async () => {
  const { device } = setup();
  const s = await connect(device);
  const cases = s.c.frames.map((f) => f.payloadVariant.case);
  assert.is(cases[0], 'myInfo');
  assert.is(cases.at(-1), 'configCompleteId');
  assert.is(cases.filter((c) => c === 'nodeInfo').length, 5, 'own + 4 simulated nodes');
  s.close();
  device.stop();
});

test('--set lora.region: answered with one ACK to the requester (not an echo), kept, shown by the next handshake', async () => {
  const { device, clock } = setup();
  const s = await connect(device);
  const lora = handshakeConfig(s.c).lora!;
  assert.is(lora.region, Config.Config_LoRaConfig_RegionCode.EU_868);
  const before = s.c.frames.length;
  // node.writeConfig('lora') with the CLI's copy of the LoRa section, region changed.
  const req = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'setConfig', value: { payloadVariant: { case: 'lora', value: { ...lora, region: Config.Config_LoRaConfig_RegionCode.US } } } } });
  s.send(req.bytes);
  await waitFor('answer', () => s.c.answersTo(req.id).length === 1);
  const answers = s.c.answersTo(req.id);
  assert.is(routingError(answers[0]!), Mesh.Routing_Error.NONE);
  assert.is(answers[0]!.from, device.myNodeNum);
  assert.is(answers[0]!.to, device.myNodeNum);
  assert.ok(!s.c.packets().some((p) => p.id === req.id), 'the request is not echoed back');
  const qs = s.c.frames.slice(before).find((f) => f.payloadVariant.case === 'queueStatus');
  assert.is(qs?.payloadVariant.case === 'queueStatus' && qs.payloadVariant.value.meshPacketId, req.id);
  s.close(); // the CLI closes right after writing
  // A region change reboots the node (DEFAULT_REBOOT_SECONDS); the next connection sees the new region.
  await clock.sleep(8000);
  await waitFor('rebooted', () => !device.isBooting && device.stats.reboots === 1);
  const again = await connect(device);
  assert.is(handshakeConfig(again.c).lora!.region, Config.Config_LoRaConfig_RegionCode.US);
  // and back to EU_868, as `--set lora.region EU_868` writes it
  const req2 = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'setConfig', value: { payloadVariant: { case: 'lora', value: { ...lora, region: Config.Config_LoRaConfig_RegionCode.EU_868 } } } } });
  again.send(req2.bytes);
  await waitFor('answer', () => again.c.answersTo(req2.id).length === 1);
  assert.is(device.state.config.lora!.region, Config.Config_LoRaConfig_RegionCode.EU_868);
  again.close();
  device.stop();
});

test('--set-owner: session key first (get_config SESSIONKEY), then set_owner; the next handshake shows the name', async () => {
  const { device } = setup();
  const s = await connect(device);
  const key = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'getConfigRequest', value: Admin.AdminMessage_ConfigType.SESSIONKEY_CONFIG } });
  s.send(key.bytes);
  await waitFor('session key', () => s.c.answersTo(key.id).length === 1);
  const keyAnswer = admin(s.c.answersTo(key.id)[0]!);
  assert.is(keyAnswer.payloadVariant.case, 'getConfigResponse');
  assert.is(keyAnswer.sessionPasskey.length, 8);
  assert.ok(s.c.answersTo(key.id)[0]!.pkiEncrypted, 'pki_encrypted follows the request (AdminModule)');
  const set = pythonAdmin(device.myNodeNum, 3, { sessionPasskey: keyAnswer.sessionPasskey, payloadVariant: { case: 'setOwner', value: { longName: 'Rooftop relay', shortName: 'ROOF', isLicensed: false } } });
  s.send(set.bytes);
  await waitFor('ack', () => s.c.answersTo(set.id).length === 1);
  assert.is(routingError(s.c.answersTo(set.id)[0]!), Mesh.Routing_Error.NONE);
  s.close();
  const again = await connect(device);
  const owner = handshakeConfig(again.c).owner!;
  assert.equal([owner.longName, owner.shortName, owner.id], ['Rooftop relay', 'ROOF', '!deadbeef']);
  // A whitespace-only name is refused as the firmware refuses it.
  const bad = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'setOwner', value: { longName: '   ' } } });
  again.send(bad.bytes);
  await waitFor('nak', () => again.c.answersTo(bad.id).length === 1);
  assert.is(routingError(again.c.answersTo(bad.id)[0]!), Mesh.Routing_Error.BAD_REQUEST);
  again.close();
  device.stop();
});

test('--ch-set name X --ch-index 1: set_channel kept; the next handshake shows it; a bad index is BAD_REQUEST', async () => {
  const { device } = setup();
  const s = await connect(device);
  const ch1 = s.c.frames.flatMap((f) => (f.payloadVariant.case === 'channel' && f.payloadVariant.value.index === 1 ? [f.payloadVariant.value] : []))[0]!;
  const set = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'setChannel', value: { ...ch1, settings: { ...ch1.settings!, name: 'X' } } } });
  s.send(set.bytes);
  await waitFor('ack', () => s.c.answersTo(set.id).length === 1);
  const bad = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'getChannelRequest', value: 9 } });
  s.send(bad.bytes);
  await waitFor('nak', () => s.c.answersTo(bad.id).length === 1);
  assert.is(routingError(s.c.answersTo(bad.id)[0]!), Mesh.Routing_Error.BAD_REQUEST);
  s.close();
  const again = await connect(device);
  assert.is(handshakeConfig(again.c).channels.get(1), 'X');
  assert.is(handshakeConfig(again.c).channels.get(0), '');
  again.close();
  device.stop();
});

test('--export-config: canned messages and ringtone requests are answered, so the CLI does not hang', async () => {
  const { device } = setup();
  const s = await connect(device);
  const canned = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'getCannedMessageModuleMessagesRequest', value: true } });
  s.send(canned.bytes);
  await waitFor('canned answer', () => s.c.answersTo(canned.id).length === 1);
  assert.is(admin(s.c.answersTo(canned.id)[0]!).payloadVariant.case, 'getCannedMessageModuleMessagesResponse');
  const ring = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'getRingtoneRequest', value: true } });
  s.send(ring.bytes);
  await waitFor('ringtone answer', () => s.c.answersTo(ring.id).length === 1);
  const r = admin(s.c.answersTo(ring.id)[0]!);
  assert.is(r.payloadVariant.case, 'getRingtoneResponse');
  assert.match(String(r.payloadVariant.value), /^24:d=32/);
  const meta = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'getDeviceMetadataRequest', value: true } });
  s.send(meta.bytes);
  await waitFor('metadata answer', () => s.c.answersTo(meta.id).length === 1);
  const m = admin(s.c.answersTo(meta.id)[0]!);
  assert.is(m.payloadVariant.case === 'getDeviceMetadataResponse' && m.payloadVariant.value.firmwareVersion, '2.7.26.54e0d8d');
  s.close();
  device.stop();
});

test('--traceroute, --request-telemetry, --sendtext --dest: the simulated node answers each as firmware does', async () => {
  const { device, clock } = setup();
  const s = await connect(device);
  // sendTraceRoute(dest, hopLimit=3): RouteDiscovery {}, want_response, no want_ack (PhoneAPI sets it).
  const tr = pythonSendData({ payload: new Uint8Array(0), to: BOB, portnum: P.TRACEROUTE_APP, wantResponse: true, hopLimit: 3 });
  s.send(tr.bytes);
  await waitFor('traceroute reply', () => s.c.answersTo(tr.id).length > 0);
  const trReply = s.c.answersTo(tr.id)[0]!;
  assert.is(trReply.from, BOB);
  assert.is(decoded(trReply).portnum, P.TRACEROUTE_APP);
  const rd = fromBinary(Mesh.RouteDiscoverySchema, decoded(trReply).payload);
  assert.equal(rd.route, []);
  assert.is(rd.snrTowards.length, 1, 'the destination adds its SNR');
  assert.is(rd.snrBack.length, 1);
  assert.ok(trReply.hopStart > 0, 'hop_start set: the CLI prints the route back');
  // sendTelemetry(dest, wantResponse=True, device_metrics)
  const tel = pythonSendData({ payload: pythonTelemetryRequest(), to: BOB, portnum: P.TELEMETRY_APP, wantResponse: true, hopLimit: 3 });
  s.send(tel.bytes);
  await waitFor('telemetry reply', () => s.c.answersTo(tel.id).length > 0);
  const t = fromBinary(Telemetry.TelemetrySchema, decoded(s.c.answersTo(tel.id)[0]!).payload);
  assert.is(t.variant.case, 'deviceMetrics');
  // a position request (sendPosition wantResponse) answered with Bob's position
  await clock.sleep(11_000); // POSITION_APP shares the 10 s rate limit with TELEMETRY_APP
  const pos = pythonSendData({ payload: new Uint8Array(0), to: BOB, portnum: P.POSITION_APP, wantResponse: true, hopLimit: 3 });
  s.send(pos.bytes);
  await waitFor('position reply', () => s.c.answersTo(pos.id).length > 0);
  const position = fromBinary(Mesh.PositionSchema, decoded(s.c.answersTo(pos.id)[0]!).payload);
  assert.is(position.latitudeI, Math.round(52.51 * 1e7));
  // sendText(text, dest, wantAck=True): an ACK from Bob
  const text = pythonSendData({ payload: new TextEncoder().encode('hi bob'), to: BOB, portnum: P.TEXT_MESSAGE_APP, wantAck: true, hopLimit: 3 });
  s.send(text.bytes);
  await waitFor('ack from bob', () => s.c.answersTo(text.id).length > 0);
  const ack = s.c.answersTo(text.id)[0]!;
  assert.equal([ack.from, routingError(ack)], [BOB, Mesh.Routing_Error.NONE]);
  assert.ok(device.mesh.textsReceivedBy(BOB).includes('hi bob'));
  s.close();
  device.stop();
});

test('two clients: an answer goes to the requester only, a mesh packet reaches both; a packet with nobody connected waits', async () => {
  const { device } = setup();
  const a = await connect(device, 'a');
  const b = await connect(device, 'b');
  const key = pythonAdmin(device.myNodeNum, 3, { payloadVariant: { case: 'getOwnerRequest', value: true } });
  a.send(key.bytes);
  await waitFor('answer for a', () => a.c.answersTo(key.id).length === 1);
  device.injectText({ from: BOB, text: 'to everyone' });
  const texts = (c: ByteClient) => c.packets().filter((p) => decoded(p).portnum === P.TEXT_MESSAGE_APP).map((p) => new TextDecoder().decode(decoded(p).payload));
  await waitFor('both got the text', () => texts(a.c).includes('to everyone') && texts(b.c).includes('to everyone'));
  assert.is(b.c.answersTo(key.id).length, 0, 'the other client does not get the answer');
  a.close();
  b.close();
  device.injectText({ from: BOB, text: 'while away' });
  assert.is(device.service.backlogLength, 1);
  const later = await connect(device, 'later');
  await waitFor('backlog delivered', () => texts(later.c).includes('while away'));
  later.close();
  device.stop();
});

test('config written through a JSON file store survives a new device (native node restart)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-device-'));
  try {
    const store = new JsonFileDeviceStore(join(dir, 'meshtastic.json'));
    const first = setup(store).device;
    const s = await connect(first);
    const set = pythonAdmin(first.myNodeNum, 3, { payloadVariant: { case: 'setOwner', value: { longName: 'Persisted', shortName: 'PST' } } });
    s.send(set.bytes);
    await waitFor('ack', () => s.c.answersTo(set.id).length === 1);
    s.close();
    first.stop();
    const second = setup(store).device;
    const again = await connect(second);
    assert.is(handshakeConfig(again.c).owner!.longName, 'Persisted');
    again.close();
    second.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
