import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { CMD, ERR_CODE, RESP } from '../codes.js';
import { newContactInfo } from './contacts-table.js';
import { companionRig, recordingClient } from './testing/companion-rig.js';

function rigWithContacts(n: number) {
  const rig = companionRig();
  for (let i = 0; i < n; i++) {
    rig.chat.addContact(newContactInfo(new Uint8Array(32).fill(0x10 + i), { type: 1, name: `C${i}`, lastMod: 1000 + i }));
  }
  return rig;
}

const ended = (frames: Uint8Array[]) => frames.some((f) => f[0] === RESP.END_OF_CONTACTS);

test('GET_CONTACTS answers CONTACTS_START at once and paces the CONTACT frames over later loop turns (MyMesh::checkSerialInterface)', async () => {
  const { dev } = rigWithContacts(5);
  const cl = recordingClient(dev);
  const now = cl.ask([CMD.GET_CONTACTS]);
  assert.equal(now.map((f) => f[0]), [RESP.CONTACTS_START], 'only the start frame while handling the command');
  await waitFor('END_OF_CONTACTS', () => ended(cl.frames));
  assert.equal(cl.frames.map((f) => f[0]), [RESP.CONTACTS_START, ...new Array(5).fill(RESP.CONTACT), RESP.END_OF_CONTACTS]);
  assert.equal([...cl.frames.at(-1)!.subarray(1)], [1004 & 0xff, 1004 >> 8, 0, 0], 'most recent lastmod');
});

test('a second GET_CONTACTS from the same client while its iteration runs is ERR_CODE_BAD_STATE; another client is not blocked', async () => {
  const { dev } = rigWithContacts(4);
  const a = recordingClient(dev);
  const b = recordingClient(dev);
  a.ask([CMD.GET_CONTACTS]);
  assert.equal(a.ask([CMD.GET_CONTACTS]).map((f) => [...f]), [[RESP.ERR, ERR_CODE.BAD_STATE]]);
  assert.equal(b.ask([CMD.GET_CONTACTS]).map((f) => f[0]), [RESP.CONTACTS_START], "the other client's own iterator");
  await waitFor('both lists ended', () => ended(a.frames) && ended(b.frames));
  for (const c of [a, b]) assert.is(c.frames.filter((f) => f[0] === RESP.CONTACT).length, 4);
  assert.equal(a.ask([CMD.GET_CONTACTS]).map((f) => f[0]), [RESP.CONTACTS_START], 'free again after END_OF_CONTACTS');
  await waitFor('second list ended', () => a.frames.filter((f) => f[0] === RESP.END_OF_CONTACTS).length === 2);
});

test("APP_START stops a left-over iterator (the firmware's _iter_started = false); the 'since' filter applies per frame", async () => {
  const { dev } = rigWithContacts(3);
  const cl = recordingClient(dev);
  cl.ask([CMD.GET_CONTACTS]);
  cl.ask([CMD.APP_START, 0, 0, 0, 0, 0, 0, 0, 0x74]);
  const n = cl.frames.length;
  cl.ask([CMD.GET_CONTACTS, ...[1000 & 0xff, 1000 >> 8, 0, 0]]);
  await waitFor('END_OF_CONTACTS', () => ended(cl.frames.slice(n)));
  const after = cl.frames.slice(n);
  assert.equal(after.map((f) => f[0]), [RESP.CONTACTS_START, RESP.CONTACT, RESP.CONTACT, RESP.END_OF_CONTACTS]);
  assert.is(after[0][1], 3, 'the count is the total, not the filtered count');
});

test.run();
