/**
 * Test support (ledger-two-process.test.ts): one process that opens the airtime ledger file named by argv[2] and
 * books 100 ms in sub-band `p` every 20 ms until killed. Prints one JSON line: {"started":pid,"tookOver":pid?} or
 * {"error":name,"holder":pid}.
 */
import { AirtimeLedger } from '../airtime-ledger.js';
import { FileLedgerStore } from '../file-ledger-store.js';
import type { LedgerLockedError } from '../errors.js';

const path = process.argv[2]!;
let tookOver: number | undefined;
const ledger = new AirtimeLedger({ store: new FileLedgerStore(path, (stale) => (tookOver = stale.pid)) });
try {
  await ledger.start();
} catch (err) {
  const e = err as LedgerLockedError;
  process.stdout.write(`${JSON.stringify({ error: e.name, holder: e.holder?.pid, message: e.message })}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ started: process.pid, ...(tookOver !== undefined ? { tookOver } : {}) })}\n`);
for (;;) {
  await ledger.record('p', Date.now(), 100);
  await new Promise((r) => setTimeout(r, 20));
}
