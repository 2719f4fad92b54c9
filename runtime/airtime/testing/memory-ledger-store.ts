/** In-memory LedgerStore for tests: survives "restarts" of ledgers that share it; counts saves. */
import type { LedgerSnapshot, LedgerStore } from '../ledger-store.js';

export class MemoryLedgerStore implements LedgerStore {
  saved: LedgerSnapshot | undefined;
  saves = 0;

  async load(): Promise<LedgerSnapshot | undefined> {
    return this.saved && structuredClone(this.saved);
  }

  async save(snapshot: LedgerSnapshot): Promise<void> {
    this.saved = structuredClone(snapshot);
    this.saves++;
  }
}
