/**
 * Child process for the durability test: ingests bundles as fast as the vault acknowledges them and prints each
 * acknowledged id on stdout; the parent kills it with SIGKILL mid-stream and checks every printed id is on disk.
 */
import { randomBytes } from 'node:crypto';
import { Vault } from '../vault.js';

const path = process.argv[2]!;
const v = new Vault({ path, groupCommitMs: 2, fsyncsPerSecond: Infinity, sweepIntervalMs: 0 });
await v.start();
process.stdout.write('ready\n');
for (let round = 0; ; round++) {
  const batch = Array.from({ length: 50 }, () => {
    const id = randomBytes(32);
    return v.ingest({ id, bytes: randomBytes(120), receivedAt: Date.now(), expiresAt: Date.now() + 3_600_000, inbox: round % 2 === 0 })
      .then(() => process.stdout.write(`${id.toString('hex')}\n`));
  });
  await Promise.all(batch);
}
