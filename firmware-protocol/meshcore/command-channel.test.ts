import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandChannel } from './command-channel.js';
import * as C from './command-table.js';
import { FrameWriter } from './bytes.js';
import { RESP } from './codes.js';

function channel(timeoutMs = 100) {
  const written: Uint8Array[] = [];
  const ch = new CommandChannel(async (p) => { written.push(p); }, 'test-link', timeoutMs);
  return { ch, written };
}
const tick = () => new Promise((r) => setImmediate(r));

test('timeout names the reply it waited for', async () => {
  const { ch } = channel(30);
  try {
    await ch.request(C.getDeviceTime, undefined);
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'MeshCoreTimeoutError');
    assert.match((err as Error).message, /RESP_CODE_CURR_TIME/);
    assert.match((err as Error).message, /CMD_GET_DEVICE_TIME/);
  }
});

test('commands are serialized; replies matched by code; pushes and strangers are not consumed', async () => {
  const { ch, written } = channel(1000);
  const t = ch.request(C.getDeviceTime, undefined);
  const ok = ch.request(C.sendSelfAdvert, { flood: false });
  await tick();
  assert.is(written.length, 1, 'second command waits for the first reply');
  assert.not.ok(ch.handleFrame(Uint8Array.of(0x83)), 'a push is not a reply');
  assert.not.ok(ch.handleFrame(Uint8Array.of(RESP.OK)), 'OK does not answer GET_DEVICE_TIME');
  assert.ok(ch.handleFrame(new FrameWriter().u8(RESP.CURR_TIME).u32(1234).done()));
  assert.is(await t, 1234);
  await tick();
  assert.is(written.length, 2);
  assert.ok(ch.handleFrame(Uint8Array.of(RESP.ERR, 3)));
  try {
    await ok;
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'MeshCoreCommandRejectedError');
    assert.is((err as { errCode: number }).errCode, 3);
  }
});

test('a long multi-frame reply stays alive while frames flow (timeout per frame)', async () => {
  // Generous margins: each gap (400 ms) is well under the timeout (1 s), the sum (1.2 s) is over it.
  const { ch } = channel(1000);
  const p = ch.request(C.getContacts, {});
  await tick();
  ch.handleFrame(new FrameWriter().u8(RESP.CONTACTS_START).u32(3).done());
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 400));
    const rec = new FrameWriter().u8(RESP.CONTACT).fixed(new Uint8Array(32).fill(i + 1), 32).u8(1).u8(0).u8(0xff)
      .fixed(new Uint8Array(64), 64).cstring(`n${i}`, 32).u32(0).i32(0).i32(0).u32(i).done();
    ch.handleFrame(rec);
  }
  ch.handleFrame(new FrameWriter().u8(RESP.END_OF_CONTACTS).u32(2).done());
  const res = await p;
  assert.is(res.total, 3);
  assert.equal(res.contacts.map((c) => c.name), ['n0', 'n1', 'n2']);
  assert.is(res.mostRecentLastMod, 2);
});

test('abort and close reject with typed errors; later requests fail fast', async () => {
  const { ch } = channel(1000);
  const ac = new AbortController();
  const p = ch.request(C.getDeviceTime, undefined, { signal: ac.signal });
  ac.abort();
  try { await p; assert.unreachable(); } catch (err) { assert.is((err as Error).name, 'AbortError'); }
  const q = ch.request(C.getDeviceTime, undefined);
  await tick();
  ch.close();
  try { await q; assert.unreachable(); } catch (err) { assert.is((err as Error).name, 'MeshCoreLinkClosedError'); }
  try { await ch.request(C.getDeviceTime, undefined); assert.unreachable(); } catch (err) { assert.is((err as Error).name, 'MeshCoreLinkClosedError'); }
});

test('a link closing after a command was written says so (its answer is lost, the radio may have carried it out)', async () => {
  const outcome = (p: Promise<unknown>) => p.then(() => undefined, (err: Error & { unanswered?: string }) => err);
  const { ch } = channel(1000);
  // Written in full, then the link closes before the reply; the next command was never written.
  const written = outcome(ch.request(C.sendSelfAdvert, { flood: false }));
  await tick();
  const queued = outcome(ch.request(C.getDeviceTime, undefined));
  await tick();
  ch.close();
  const a = await written;
  assert.is(a?.name, 'MeshCoreLinkClosedError');
  assert.is(a?.unanswered, 'CMD_SEND_SELF_ADVERT');
  const b = await queued;
  assert.is(b?.name, 'MeshCoreLinkClosedError');
  assert.is(b?.unanswered, undefined, 'never written: nothing is in doubt');
  // A write still in progress when the link closes is not "written" either.
  const slow = new CommandChannel(() => new Promise<void>(() => undefined), 'slow-link', 1000);
  const pending = outcome(slow.request(C.sendSelfAdvert, { flood: false }));
  await tick();
  slow.close();
  const c = await pending;
  assert.is(c?.name, 'MeshCoreLinkClosedError');
  assert.is(c?.unanswered, undefined);
});

test.run();
