/**
 * The device side as a client of the repeater part (repeater/repeater.ts), both on the real mesh (createMesh) on a
 * MemoryAir in virtual time, with a relay in between: CMD_SEND_LOGIN → PUSH_CODE_LOGIN_SUCCESS, a CLI command as a
 * TXT_MSG of type CLI_DATA answered into the offline queue, CMD_SEND_STATUS_REQ → PUSH_CODE_STATUS_RESPONSE,
 * CMD_SEND_TELEMETRY_REQ → PUSH_CODE_TELEMETRY_RESPONSE: the request matchers against an independent implementation.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../../lib/testing/virtual-clock.js';
import { CMD, PUSH, RESP } from '../codes.js';
import { decodeMessageFrame } from '../message-frames.js';
import { createMesh } from '../mesh/create-mesh.js';
import { TestNetwork, identityFor } from '../mesh/testing/mesh-network.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import { encodePacket } from '../ota/packet.js';
import { createRepeater } from '../repeater/repeater.js';
import { MemoryRepeaterStore } from '../repeater/repeater-store.js';
import { createRtcClock } from '../repeater/rtc-clock.js';
import { ChatMesh } from './chat-mesh.js';
import { CompanionRadio } from './companion-radio.js';
import { recordingClient } from './testing/companion-rig.js';

test('login, CLI, status and telemetry requests to a repeater two hops away, answered as pushes', async () => {
  const clock = new VirtualClock();
  const net = new TestNetwork(clock);
  const rtc = createRtcClock(clock, 1_760_000_000);
  const repId = identityFor('repeater');
  const repMesh = createMesh({ radio: net.air.radio('repeater'), identity: repId, modulation: net.modulation, clock, rtcSeconds: () => rtc.getCurrentTime() });
  const repeater = createRepeater({ mesh: repMesh, clock, rtc, store: new MemoryRepeaterStore(), advertOnBoot: false, prefs: { nodeName: 'Hill' } });
  repMesh.setHandler(repeater.handler);
  repMesh.start();
  repeater.start();
  net.add('relay', { forward: true });
  const devMesh = createMesh({ radio: net.air.radio('device'), identity: identityFor('device'), modulation: net.modulation, clock, rtcSeconds: () => rtc.getCurrentTime() });
  const chat = new ChatMesh({ mesh: devMesh });
  devMesh.setHandler(chat);
  devMesh.start();
  const dev = new CompanionRadio({ chat, clock, batteryMilliVolts: () => 4000 });
  net.air.chain(['device', 'relay', 'repeater']);
  try {
    // The device knows the repeater from its advert (handed over as an import).
    assert.ok(chat.importContact(encodePacket(repMesh.createAdvert(new Uint8Array([0x80 | ADV_TYPE.REPEATER, ...new TextEncoder().encode('Hill')])))));
    const cl = recordingClient(dev);
    const pk = [...repId.publicKey];
    const sent = cl.ask([CMD.SEND_LOGIN, ...pk, ...new TextEncoder().encode('password')]);
    assert.is(sent[0][0], RESP.SENT);
    await clock.sleep(30_000);
    const ok = cl.frames.find((f) => f[0] === PUSH.LOGIN_SUCCESS || f[0] === PUSH.LOGIN_FAIL);
    assert.ok(ok, 'a login answer');
    assert.is(ok![0], PUSH.LOGIN_SUCCESS);
    assert.equal([...ok!.subarray(2, 8)], pk.slice(0, 6));
    assert.ok(cl.frames.some((f) => f[0] === PUSH.PATH_UPDATED), 'the PATH return taught the device the way');
    // A CLI command: its answer is queued like a message, txt_type CLI_DATA.
    cl.ask([CMD.SEND_TXT_MSG, 1, 0, 0, 0, 0, 0, ...pk.slice(0, 6), ...new TextEncoder().encode('get name')]);
    await clock.sleep(30_000);
    const reply = cl.ask([CMD.SYNC_NEXT_MESSAGE])[0];
    const m = decodeMessageFrame(reply);
    assert.is(m.txtType, 1);
    assert.match(m.text, /Hill/);
    // Status and telemetry.
    assert.is(cl.ask([CMD.SEND_STATUS_REQ, ...pk])[0][0], RESP.SENT);
    await clock.sleep(30_000);
    assert.ok(cl.frames.some((f) => f[0] === PUSH.STATUS_RESPONSE), 'STATUS_RESPONSE');
    assert.is(cl.ask([CMD.SEND_TELEMETRY_REQ, 0, 0, 0, ...pk])[0][0], RESP.SENT);
    await clock.sleep(30_000);
    assert.ok(cl.frames.some((f) => f[0] === PUSH.TELEMETRY_RESPONSE), 'TELEMETRY_RESPONSE');
  } finally {
    await net.stop();
    await repMesh.stop();
    await devMesh.stop();
    repeater.stop();
    await dev.stop();
  }
});

test.run();
