/**
 * Child process for the flush-before-acknowledge test: ingests bundles, first one at a time, then in concurrent
 * batches (several per write cycle), and prints `ack <id>` on stdout as each ingest resolves. The parent runs it
 * under strace and checks each of those writes came after the flush of the commit that stored the id.
 */
import { randomBytes } from 'node:crypto';
import { Vault } from '../vault.js';

const path = process.argv[2]!;
const single = Number(process.argv[3] ?? 8);
const batches = Number(process.argv[4] ?? 4);
const v = new Vault({ path, groupCommitMs: 2, sweepIntervalMs: 0 });
await v.start();
const ingest = async (round: number): Promise<void> => {
  const id = randomBytes(32);
  const now = Date.now();
  await v.ingest({ id, bytes: randomBytes(120), receivedAt: now, expiresAt: now + 3_600_000, inbox: round % 2 === 0 });
  process.stdout.write(`ack ${id.toString('hex')}\n`);
};
for (let i = 0; i < single; i++) await ingest(i);
for (let b = 0; b < batches; b++) await Promise.all(Array.from({ length: 16 }, () => ingest(b)));
await v.stop();
