/**
 * One simulated relay of `lattice run`'s default neighbourhood: a real Router over a real Vault (its own LMDB in
 * the data dir, so restarts keep its state) with the bearers the scene gives it. Nothing about it is faked except
 * the links it uses.
 */
import { join } from 'node:path';
import type { Bearer } from '../bearer/bearer.js';
import { loadOrCreateIdentity, type Identity } from '../identity/identity.js';
import type { Logger } from '../log/logger.js';
import { Router } from '../router/router.js';
import { Vault } from '../vault/vault.js';
import { StampAllocator } from '../bearers/lora/v2/stamp-allocator.js';

export class SimRelay {
  router?: Router;
  private vault?: Vault;
  private offs: Array<() => void> = [];

  private constructor(readonly name: string, readonly identity: Identity, private readonly dir: string) {}

  static async create(name: string, dir: string): Promise<SimRelay> {
    const { identity } = await loadOrCreateIdentity(dir);
    return new SimRelay(name, identity, dir);
  }

  async start(bearers: Bearer[], log: Logger): Promise<void> {
    this.vault = new Vault({ path: join(this.dir, 'vault'), groupCommitMs: 50 });
    await this.vault.start();
    // Stamps (persisted in its dir, as the daemon's): the bundles it creates are v2-shaped for its LoRa radio.
    const stamps = await StampAllocator.open(this.dir);
    // LoRa sends of a fragmented bundle take tens of seconds of air time at slow presets: allow for it.
    this.router = new Router({ identity: this.identity, vault: this.vault, bearers, stamps, bloomIntervalMs: 10_000, bloomDebounceMs: 500, retryIntervalMs: 5_000, sendTimeoutMs: 120_000 });
    this.offs.push(this.router.events.on('delivered', (e) => {
      if (e.via !== 'inbox') return;
      const v = this.router?.bundleView(e.id);
      if (!v || v.sender === this.identity.nodeIdHex) return;
      log.info(`${this.name} received`, { id: e.id.slice(0, 8), from: v.origin?.name ?? v.senderShortId, text: v.text, custody: v.custody.join('>') || '(direct)' });
    }));
    await this.router.start();
    for (const b of bearers) await b.start();
    this.bearers = bearers;
  }

  private bearers: Bearer[] = [];

  async stop(): Promise<void> {
    for (const off of this.offs) off();
    this.offs = [];
    for (const b of [...this.bearers].reverse()) await b.stop().catch(() => undefined);
    await this.router?.stop();
    await this.vault?.stop();
  }
}
