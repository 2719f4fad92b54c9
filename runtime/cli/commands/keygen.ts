/**
 * `lattice keygen`: creates (or shows) this relay's identity (`<data dir>/node.key`, Ed25519, mode 0600) and prints
 * its node id and short id. An existing key is the relay's identity on the mesh, so it is never overwritten
 * silently: keygen shows it (exit 0, `created: false` in --json), and only --force moves it aside
 * (`node.key.replaced-<time>`) before creating a new one.
 */
import { access, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { IDENTITY_FILE, loadOrCreateIdentity } from '../../identity/identity.js';
import type { Command } from '../command.js';
import { configFor, printJson } from '../config-for.js';
import { EXIT_OK } from '../exit-codes.js';

export const keygen: Command = {
  name: 'keygen',
  summary: "create this relay's identity key and print its node id",
  configFlags: ['data-dir'],
  json: true,
  options: {
    force: { type: 'boolean', help: 'replace an existing key (the old one is kept as node.key.replaced-<time>)' },
  },
  async run(ctx) {
    const config = await configFor(ctx);
    const keyFile = join(config.dataDir, IDENTITY_FILE);
    let replaced: string | undefined;
    if (ctx.values.force && (await exists(keyFile))) {
      replaced = `${keyFile}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(keyFile, replaced);
    }
    const { identity, created } = await loadOrCreateIdentity(config.dataDir);
    if (ctx.values.json) {
      printJson(ctx, { nodeId: identity.nodeIdHex, shortId: identity.shortId, keyFile, created, ...(replaced ? { replaced } : {}) });
    } else {
      ctx.io.stdout.write(`short id  ${identity.shortId}\nnode id   ${identity.nodeIdHex}\nkey file  ${keyFile}\n`);
      if (replaced) ctx.io.stdout.write(`old key   ${replaced}\n`);
    }
    if (!created && !ctx.values.json) ctx.io.stderr.write(`lattice: ${keyFile} already existed: this is the relay's identity. --force replaces it (the relay gets a new identity on the mesh).\n`);
    return EXIT_OK;
  },
};

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
