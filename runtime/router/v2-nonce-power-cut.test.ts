/**
 * Restart during sends never reuses a nonce: a relay whose router makes v2 DMs (compact seal, nonce = stamp = sentAt
 * in seconds, runtime/bundle/compact-seal.ts) is killed with SIGKILL while 8 senders run flat out, 5 times. Then every
 * bundle that reached its vault — acknowledged or not: any of them may have been on the air — is read back, and no
 * two have the same stamp (the same nonce under the one pairwise key), every acknowledged one is among them, and each
 * opens at the recipient. The senders outrun the clock (several DMs a second), so without the persisted mark the
 * stamps after a restart would repeat.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateIdentity, identityToPem } from '../identity/identity.js';
import { Vault } from '../vault/vault.js';
import { msToStamp } from '../bundle/stamp.js';
import { decodeBundle } from '../bundle/bundle-codec.js';
import { bundleIdHex } from '../bundle/bundle-id.js';
import { bodyText, openBody } from '../bundle/create-bundle.js';

// test-runner: dist-safe. Compiled, the child is the .js beside this file in dist/ and starts as plain node; from
// source it runs through tsx (which costs each start ~0.5 s of CPU more).
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const CHILD = fileURLToPath(new URL(`./testing/v2-sends-child.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
const CHILD_ARGV = FROM_SOURCE ? ['--import', 'tsx', CHILD] : [CHILD];

async function cycle(dir: string, pem64: string, to: string, killAfter: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, [...CHILD_ARGV, dir, pem64, to], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Map<string, number>();
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const [id, sentAt] = l.split(' ');
        if (sentAt) acked.set(id!, Number(sentAt));
      }
      if (acked.size >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  return acked;
}

test('SIGKILL during v2 sends x5: no stamp (DM nonce) is used twice by bundles that reached the vault', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-v2-nonce-'));
  const a = generateIdentity();
  const b = generateIdentity();
  try {
    const acked = new Map<string, number>();
    for (let i = 0; i < 5; i++) for (const [id, t] of await cycle(dir, Buffer.from(identityToPem(a)).toString('base64'), b.nodeIdHex, 30 + i * 23)) acked.set(id, t);
    const vault = new Vault({ path: join(dir, 'vault') });
    await vault.start();
    try {
      const stamps = new Map<number, string>();
      let ids: Uint8Array[] = [];
      let after: Uint8Array | undefined;
      do {
        ids = vault.queuedIds({ limit: 500, ...(after ? { after } : {}) });
        for (const id of ids) {
          const stored = vault.get(id)!;
          const bundle = decodeBundle(stored.bytes);
          const stamp = msToStamp(bundle.sentAt);
          assert.ok(stamp !== undefined && bundle.compactSeal, 'a v2-shaped DM');
          const other = stamps.get(stamp!);
          assert.not.ok(other, `stamp ${stamp} used by ${other} and ${bundleIdHex(bundle)}`);
          stamps.set(stamp!, bundleIdHex(bundle));
          assert.ok(bodyText(openBody(b, bundle)).startsWith('message '));
        }
        after = ids[ids.length - 1];
      } while (ids.length === 500);
      for (const [id, sentAt] of acked) assert.is(stamps.get(msToStamp(sentAt)!), id, `acknowledged ${id} is in the vault with its stamp`);
      assert.ok(stamps.size >= acked.size && acked.size >= 5 * 30);
    } finally {
      await vault.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
