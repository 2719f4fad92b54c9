/**
 * Child process of generate-identity.test.ts: makes `count` identities back to back (argv[2]) and prints how many.
 * Run alone so that a deadlock of the main thread shows as a child that never exits, not as a hung test runner.
 */
import { generateIdentity } from '../identity.js';

const count = Number(process.argv[2]);
const ids = new Set<string>();
for (let i = 0; i < count; i++) ids.add(generateIdentity().nodeIdHex);
process.stdout.write(`${ids.size}\n`);
