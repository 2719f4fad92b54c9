/**
 * Child process for v2-nonce-power-cut.test.ts: a Router with its Vault and v2 stamps in `dir`, no bearers, sending
 * DMs to one recipient as fast as 8 concurrent senders can; each acknowledged send is printed as `<id> <sentAt>`.
 * Every DM is compact-sealed under the same pairwise key with its stamp as the nonce.
 */
import { join } from 'node:path';
import { identityFromPem } from '../../identity/identity.js';
import { Vault } from '../../vault/vault.js';
import { Router } from '../router.js';
import { StampAllocator } from '../../bearers/lora/v2/stamp-allocator.js';
import { setLogSink } from '../../log/logger.js';

setLogSink(() => undefined, 'silent');
const [dir, pem64, to] = process.argv.slice(2) as [string, string, string];
const identity = identityFromPem(Buffer.from(pem64, 'base64').toString());
const vault = new Vault({ path: join(dir, 'vault') });
await vault.start();
const stamps = await StampAllocator.open(dir);
const router = new Router({ identity, vault, bearers: [], stamps, bloomIntervalMs: 3_600_000 });
await router.start();
process.stdout.write('ready\n');
let n = 0;
await Promise.all(Array.from({ length: 8 }, async () => {
  for (;;) {
    const { bundleId } = await router.send({ to, text: `message ${n++}` });
    const v = router.bundleView(bundleId)!;
    process.stdout.write(`${bundleId} ${v.sentAt}\n`);
  }
}));
