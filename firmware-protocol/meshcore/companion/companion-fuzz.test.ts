/** Hostile clients: random command frames (any code, any length up to MAX_FRAME_SIZE) never make a handler throw,
 * never cost the client its session, and every one that the firmware answers gets an answer. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { CMD, RESP } from '../codes.js';
import { companionRig, recordingClient, remoteNode } from './testing/companion-rig.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

test('random command frames: no handler error, the session survives, answers as expected', async () => {
  const drops: string[] = [];
  const errors: unknown[] = [];
  let reboots = 0;
  const rig = companionRig({ metrics: { dropped: (r) => void drops.push(r) }, onError: (e) => void errors.push(e), onReboot: () => void reboots++ });
  const bob = remoteNode(rig.air, 7, 'Bob');
  bob.advert();
  await waitFor('contact', () => rig.chat.contacts.size === 1);
  const cl = recordingClient(rig.dev);
  const frames = fc.sample(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 176 }),
      // Known codes with random arguments, and with a real contact key where one is expected.
      fc.tuple(fc.constantFrom(...(Object.values(CMD) as number[])), fc.uint8Array({ maxLength: 60 }), fc.boolean()).map(([code, rest, withKey]) =>
        Uint8Array.from([code, ...(withKey ? bob.id.publicKey : []), ...rest])),
    ),
    { numRuns: 3000, seed: 1414 },
  );
  let unanswered = 0;
  for (const f of frames) {
    if (f[0] === CMD.FACTORY_RESET || f[0] === CMD.REBOOT) continue; // async / no answer by design (tested elsewhere)
    const got = cl.ask(f);
    if (!got.some((x) => x[0] < 0x80)) unanswered++;
  }
  assert.equal(errors, []);
  assert.equal(drops.filter((d) => d === 'handler-error'), []);
  assert.is(cl.closed, undefined);
  // Only CMD_SEND_TELEMETRY_REQ for self answers with a push and no response; everything else answers.
  assert.ok(unanswered <= frames.filter((f) => f[0] === CMD.SEND_TELEMETRY_REQ && f.length === 4).length, `${unanswered} frames unanswered`);
  assert.is(cl.ask([CMD.GET_DEVICE_TIME])[0][0], RESP.CURR_TIME);
  assert.is(reboots, 0);
});

test.run();
