/**
 * Child process for the full-disk test (vault-full-disk.test.ts): runs under a file-size limit (RLIMIT_FSIZE) so the
 * kernel refuses to grow data.mdb (EFBIG) as it would on a full disk (ENOSPC), and reports each step as one JSON line.
 *
 *   1. ingests queued bundles until the vault refuses one; prints `{"full":…}` with the acknowledged ids;
 *   2. while refused: marks an acknowledged bundle delivered and traces it (kept in memory), checks sends are
 *      refused at once; waits for a line on stdin (the parent raised the limit: "space returned");
 *   3. ingests until one is taken again (no restart), stops, reopens, and prints what the reopened vault holds.
 * With `stop-while-full` as second argument it stops right after step 1 instead (and must not hang).
 *
 * Any unhandled rejection ends it with `{"unhandled":…}` and exit code 3: the bug this guards against.
 */
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { Vault, type IngestRecord } from '../vault.js';

const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);
process.on('unhandledRejection', (err) => {
  out({ unhandled: String((err as Error)?.stack ?? err) });
  process.exit(3);
});

const path = process.argv[2]!;
const PEER = 'b'.repeat(64);
const rec = (): IngestRecord => ({
  id: randomBytes(32), bytes: randomBytes(2000), receivedAt: Date.now(), expiresAt: Date.now() + 3_600_000, targets: [PEER],
});
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const v = new Vault({ path, groupCommitMs: 5, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
await v.start();
const acked: string[] = [];
let refused: Error | undefined;
for (let i = 0; i < 5000 && !refused; i++) {
  // Several in flight at once, as a busy relay has them: one failed cycle refuses them all.
  const batch = Array.from({ length: 8 }, rec);
  const settled = await Promise.allSettled(batch.map((r) => v.ingest(r)));
  settled.forEach((s, j) => {
    if (s.status === 'fulfilled') acked.push(hex(batch[j]!.id));
    else refused ??= s.reason as Error;
  });
}
if (!refused) {
  out({ error: 'the vault never refused a bundle: was the file-size limit applied?' });
  process.exit(2);
}
out({ full: { name: refused.name, reason: (refused as unknown as { reason?: string }).reason, acked: acked.length, usage: v.usage() } });

if (process.argv[3] === 'stop-while-full') {
  // A relay stopped (systemd, Ctrl-C) while its disk is full must still exit: its last commit failed.
  const t = performance.now();
  await v.stop();
  out({ stopped: { ms: Math.round(performance.now() - t) } });
  process.exit(0);
}

// Still relaying what it holds: a delivery is recorded (in memory until the disk takes it again).
const first = Buffer.from(acked[0]!, 'hex');
const row = v.outbox(first)!;
v.setOutbox(first, { ...row, targets: row.targets.map((t) => ({ ...t, state: 'delivered' as const, at: Date.now() })) });
v.trace(first, { at: Date.now(), event: 'delivered', peer: PEER, detail: 'while the disk was full' });
const t0 = performance.now();
const again = await v.ingest(rec()).then(() => undefined, (e: Error) => e);
out({ whileFull: { refused: again?.name, ms: Math.round(performance.now() - t0), deliveredSeen: v.outbox(first)!.targets[0]!.state } });

const stdin = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => stdin.once('line', () => resolve()));
stdin.close();
process.stdin.destroy();
const deadline = Date.now() + 30_000;
let storedAfter: string | undefined;
while (!storedAfter && Date.now() < deadline) {
  const r = rec();
  try {
    await v.ingest(r);
    storedAfter = hex(r.id);
    acked.push(storedAfter);
  } catch {
    await new Promise((res) => setTimeout(res, 200));
  }
}
await v.settle();
await v.stop();

const reopened = new Vault({ path, sweepIntervalMs: 0 });
await reopened.start();
const missing = acked.filter((id) => !reopened.get(Buffer.from(id, 'hex')));
out({
  after: {
    storedAfter: storedAfter !== undefined,
    acked: acked.length,
    missing: missing.length,
    delivered: reopened.outbox(first)?.targets[0]?.state,
    traced: reopened.traceEvents(first).some((e) => e.detail === 'while the disk was full'),
    counts: reopened.counts(),
  },
});
await reopened.stop();
