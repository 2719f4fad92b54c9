/**
 * Power cut: `lattice run` is killed with SIGKILL in the middle of sustained sends, again and again. Every bundle
 * whose POST /send was acknowledged (202) must be found after the restart, and the outbox must resume: once the
 * recipient relay comes up, each acknowledged bundle reaches it exactly once.
 *
 * A SIGKILL leaves the page cache intact: this proves "committed before acknowledged" and that the store recovers
 * and resumes, not that an acknowledged bundle was on the disk itself. flush-before-ack.test.ts proves that part,
 * from the relay's fdatasync calls (a vault opened with LMDB's noSync passes this test and fails that one).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToPem, IDENTITY_FILE } from '../identity/identity.js';
import { RelayProcess, eventually, freePort } from './testing/relay-process.js';

// Three cuts prove the point: each lands at another moment of the load (after 20, 57 and 94 acknowledgements), and
// the second and third cut a store that was itself recovered from a cut. Each further cycle costs a relay start
// (~0.5 s of CPU) and its sends; LATTICE_POWERCUT_CYCLES=20 runs a longer soak.
const CYCLES = Number(process.env.LATTICE_POWERCUT_CYCLES ?? 3);
const CONCURRENCY = 12;

/** `check` on every id, 32 requests at a time (one at a time took ~10 ms each). */
async function everyId(ids: Iterable<string>, check: (id: string) => Promise<boolean>): Promise<boolean> {
  const all = [...ids];
  for (let i = 0; i < all.length; i += 32) {
    if (!(await Promise.all(all.slice(i, i + 32).map(check))).every(Boolean)) return false;
  }
  return true;
}

test(`SIGKILL during sustained sends x${CYCLES}: every acknowledged bundle survives and is delivered once`, async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-powercut-'));
  const dirA = join(root, 'a');
  const dirB = join(root, 'b');
  mkdirSync(dirB, { recursive: true });
  const b = generateIdentity();
  writeFileSync(join(dirB, IDENTITY_FILE), identityToPem(b), { mode: 0o600 });
  const bPort = await freePort();
  const a = new RelayProcess({ dataDir: dirA, ipPeers: [bPort] });
  const acked = new Map<string, string>();
  let attempted = 0;
  try {
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await a.start();
      let stop = false;
      let ackedThisCycle = 0;
      const loops = Array.from({ length: CONCURRENCY }, async (_, w) => {
        for (let i = 0; !stop; i++) {
          const text = `cycle ${cycle} worker ${w} msg ${i}`;
          attempted++;
          try {
            const id = await a.send(b.nodeIdHex, text);
            acked.set(id, text);
            ackedThisCycle++;
          } catch {
            return; // the process died under us: this send was never acknowledged
          }
        }
      });
      // Let load build up, then cut the power at a moment that varies per cycle (after 20 to 140 acknowledgements,
      // with 12 sends in flight).
      const cutAfter = 20 + ((cycle * 37) % 120);
      await eventually(`${cutAfter} sends acknowledged in cycle ${cycle}`, () => ackedThisCycle >= cutAfter, 60_000);
      await a.kill();
      stop = true;
      await Promise.all(loops);
    }
    assert.ok(acked.size > CYCLES * 10, `only ${acked.size} of ${attempted} sends were acknowledged`);

    // A restarts after the last cut and the recipient appears at the same time: the outbox resumes and delivers
    // everything, once each. (A bundle A already delivered is found at A all the same, as `delivered`.)
    const relayB = new RelayProcess({ dataDir: dirB, ipPeers: [a.ipPort] });
    relayB.ipPort = bPort;
    relayB.apiPort = await freePort();
    relayB.metricsPort = await freePort();
    try {
      await Promise.all([a.start(), relayB.start()]);
      await everyId(acked.keys(), async (id) => {
        const v = await a.get(`/bundles/${id}`);
        assert.ok(['queued', 'accepted', 'delivered'].includes(v.state), `${id} state ${v.state}`);
        return true;
      });
      await eventually(`all ${acked.size} acknowledged bundles at B`, async () => {
        // Each bundle is looked up only once B's inbox holds at least as many (one request per poll until then).
        if ((await relayB.get('/status')).inbox < acked.size) return false;
        return everyId(acked.keys(), async (id) => {
          const v = await relayB.get(`/bundles/${id}`).catch(() => undefined);
          if (!v) return false;
          assert.is(v.text, acked.get(id));
          return true;
        });
      }, 120_000);
      // Exactly once: B's inbox holds one entry per bundle A stored (acknowledged or not), no more.
      const stored = (await a.get('/status')).stored as number;
      await eventually(`B's inbox reaches ${stored}`, async () => (await relayB.get('/status')).inbox === stored, 60_000);
      // Once A has nothing queued or awaiting an answer, every copy it sent was judged by B: the count is final.
      await eventually('A has nothing left to send', async () => {
        const o = (await a.get('/status')).outbox as { queued: number; accepted: number };
        return o.queued === 0 && o.accepted === 0;
      }, 60_000);
      assert.is((await relayB.get('/status')).inbox, stored, 'no bundle arrived twice');
      await eventually('A marks them delivered', () => everyId(acked.keys(), async (id) => (await a.get(`/bundles/${id}`)).state === 'delivered'), 60_000);
    } finally {
      await relayB.stop();
    }
  } finally {
    await a.stop();
    if (process.env.LATTICE_KEEP_TMP === undefined) rmSync(root, { recursive: true, force: true });
  }
});

test.run();
