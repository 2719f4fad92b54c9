/**
 * Child process for stamp-allocator.test.ts: allocates stamps as fast as it can and writes each one to
 * stdout the moment it is handed out ("used" — in the bearer it would now be a nonce on the air). The clock is stuck
 * at the stamp epoch (a relay that booted without RTC or NTP), so only the persisted mark keeps stamps apart.
 */
import { StampAllocator } from '../stamp-allocator.js';
import { STAMP_EPOCH_MS } from '../../../../bundle/stamp.js';

const dir = process.argv[2]!;
const a = await StampAllocator.open(dir, { now: () => STAMP_EPOCH_MS, block: Number(process.argv[3] ?? 8) });
process.stdout.write('ready\n');
for (;;) {
  const s = await a.next();
  process.stdout.write(`${s}\n`);
}
