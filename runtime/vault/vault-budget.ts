/**
 * VaultBudget: whether the vault takes another bundle, and how far it is from full.
 *
 * Bytes are LMDB pages in use (every sub-database's branch, leaf and overflow pages, times the page size), measured
 * after each committed write cycle: that is the disk the vault occupies, index rows and B-tree slack included,
 * where summing row sizes would under-count by half. The data file itself never shrinks, but LMDB reuses freed pages,
 * so holding the pages in use under the budget stops the file growing once the budget is reached (it settles a
 * little above it: pages a reader still sees are not reusable yet).
 *
 *   - above 90 % of `vault.maxBytes` (pages in use plus the estimate of what waits for the next cycle) the vault
 *     evicts, a bounded step per write cycle, down to 80 %: delivered bundles first, then tombstones
 *     (vault-evict.ts);
 *   - a bundle is refused (StoreFullError, reason `budget`) when it would pass the budget (its estimate plus a few
 *     pages of headroom: PAGE_HEADROOM) and nothing is left to evict (only bundles still to deliver are stored), or when a burst outran eviction by more than 10 % of the
 *     budget. Nothing queued is ever dropped to make room;
 *   - a failed write cycle (disk full, I/O error) blocks new bundles (StoreFullError reason `disk`, or
 *     VaultWriteError) until a later cycle commits again: the vault retries with a growing delay (vault.ts).
 */
import type { Counter } from '../metrics/metrics.js';
import { createLogger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { StoreFullError, VaultWriteError } from './errors.js';

const log = createLogger('vault');

/** Eviction starts above this share of the budget… */
export const EVICT_ABOVE = 0.9;
/** …and frees down to this share… */
export const EVICT_TO = 0.8;
/** …at most this share of the budget (or 64 KiB) per write cycle: one eviction is one transaction, and a big one
 * copies many pages at once (LMDB is copy on write), which the file has to hold until they are reusable. */
export const EVICT_STEP = 1 / 16;
/** A burst may pass the budget by this share while eviction catches up. */
export const BURST_ALLOWANCE = 0.1;

/** What LMDB needs for one bundle of `size` encoded bytes: its row and index rows, a few trace rows, B-tree slack. */
export function bundleCost(size: number): number {
  return 2 * (size + 400);
}

/**
 * Room kept free of admissions, in pages: the estimate above is right on average, but LMDB grows in whole pages. A
 * write that splits a leaf gets a new page in that sub-database, and one bundle's rows go to up to five of them
 * (bundles, expiry, outbox, a state index, a listing index) besides the free list, all of which can split in the
 * same cycle: one 1.5 KB bundle (estimate ~4 KB) measured +8 KiB now and then. Without this room the last bundle
 * admitted before the budget's refusal could end a page or two over the budget.
 */
export const PAGE_HEADROOM = 6;

export type VaultFull = 'budget' | 'disk' | 'io';

export interface VaultUsage {
  /** LMDB pages in use, in bytes. */
  usedBytes: number;
  /** Size of the data file (its high-water mark). */
  fileBytes: number;
  /** `vault.maxBytes`; absent when unbounded. */
  maxBytes?: number;
  /** Why new bundles are refused now, if they are. */
  full?: VaultFull;
}

export interface VaultBudgetOptions {
  maxBytes?: number;
  metrics?: Metrics;
}

export class VaultBudget {
  readonly maxBytes: number | undefined;
  usedBytes = 0;
  fileBytes = 0;
  /** Estimated bytes of bundles accepted but not yet written. */
  private pending = 0;
  /** Rows eviction could take (evictable index entries and tombstones), as of the last measurement. */
  private evictableRows = 0;
  /** LMDB's page size (the OS page: 4 KiB, 16 KiB on some ARM64 kernels), as of the last measurement. */
  private pageSize = 4096;
  private blocked?: { kind: 'disk' | 'io'; cause: unknown; since: number };
  private refusing = false;
  /** Retry delay after a failed write cycle; doubles per failure. */
  private retryMs = 0;
  private readonly evictions?: Counter;
  private readonly refusals?: Counter;
  private readonly failures?: Counter;
  readonly traceDropped?: Counter;

  constructor(options: VaultBudgetOptions = {}) {
    this.maxBytes = options.maxBytes;
    const m = options.metrics;
    if (!m) return;
    const budget = this;
    m.gauge({ name: 'lattice_vault_bytes', help: 'Bytes of LMDB pages the vault uses', collect() { this.set(budget.usedBytes); } });
    m.gauge({ name: 'lattice_vault_file_bytes', help: "Size of the vault's data file (it never shrinks; freed pages are reused)", collect() { this.set(budget.fileBytes); } });
    if (this.maxBytes !== undefined) {
      const max = this.maxBytes;
      m.gauge({ name: 'lattice_vault_budget_bytes', help: 'The vault byte budget (vault.maxBytes)', collect() { this.set(max); } });
    }
    m.gauge({ name: 'lattice_vault_full', help: '1 while the vault refuses new bundles (budget used by undelivered bundles, or disk full)', collect() { this.set(budget.full() ? 1 : 0); } });
    this.evictions = m.counter({ name: 'lattice_vault_evictions_total', help: 'Bundles evicted under the byte budget: delivered (body dropped) or expired (tombstone purged)', labelNames: ['reason'] });
    this.refusals = m.counter({ name: 'lattice_vault_refusals_total', help: 'Bundles the vault refused: budget (used by undelivered bundles), disk (full), io (write error)', labelNames: ['reason'] });
    this.failures = m.counter({ name: 'lattice_vault_write_failures_total', help: 'Vault write cycles that failed: disk (full) or io', labelNames: ['kind'] });
    this.traceDropped = m.counter({ name: 'lattice_vault_trace_dropped_total', help: 'Trace events not kept because the vault could not write them' });
  }

  /** Why new bundles are refused now, if they are. */
  full(): VaultFull | undefined {
    return this.blocked?.kind ?? (this.refusing ? 'budget' : undefined);
  }

  usage(): VaultUsage {
    const full = this.full();
    return {
      usedBytes: this.usedBytes,
      fileBytes: this.fileBytes,
      ...(this.maxBytes !== undefined ? { maxBytes: this.maxBytes } : {}),
      ...(full ? { full } : {}),
    };
  }

  /** Takes a bundle of `size` bytes or throws why not; returns its cost estimate, to hand back to written(). */
  admit(size: number): number {
    if (this.blocked) {
      this.refusals?.inc({ reason: this.blocked.kind });
      if (this.blocked.kind === 'io') throw new VaultWriteError('ingest', { cause: this.blocked.cause });
      throw new StoreFullError('disk', this.usedBytes, this.maxBytes, { cause: this.blocked.cause });
    }
    const cost = bundleCost(size);
    const after = this.usedBytes + this.pending + cost + PAGE_HEADROOM * this.pageSize;
    if (this.maxBytes !== undefined && after > this.maxBytes && (this.evictableRows === 0 || after > this.maxBytes * (1 + BURST_ALLOWANCE))) {
      if (!this.refusing) log.warn('vault full: its byte budget is used by bundles still to deliver; refusing new bundles', { usedBytes: this.usedBytes, maxBytes: this.maxBytes, evictableRows: this.evictableRows });
      this.refusing = true;
      this.refusals?.inc({ reason: 'budget' });
      throw new StoreFullError('budget', this.usedBytes + this.pending, this.maxBytes);
    }
    if (this.refusing) log.info('vault takes new bundles again', { usedBytes: this.usedBytes, maxBytes: this.maxBytes });
    this.refusing = false;
    this.pending += cost;
    return cost;
  }

  /** Bundles admitted earlier were written (or failed): their estimate leaves `pending`. */
  written(cost: number): void {
    this.pending = Math.max(0, this.pending - cost);
  }

  measured(usedBytes: number, fileBytes: number, evictableRows: number, pageSize = this.pageSize): void {
    this.usedBytes = usedBytes;
    this.fileBytes = fileBytes;
    this.evictableRows = evictableRows;
    this.pageSize = pageSize;
  }

  /** Bytes to evict in the next write cycle (0: under the eviction threshold, nothing to evict, or unbounded). */
  evictWanted(): number {
    const max = this.maxBytes;
    const used = this.usedBytes + this.pending;
    if (max === undefined || used <= max * EVICT_ABOVE || this.evictableRows === 0) return 0;
    return Math.min(used - max * EVICT_TO, Math.max(64 * 1024, max * EVICT_STEP));
  }

  evicted(delivered: number, expired: number): void {
    if (delivered) this.evictions?.inc({ reason: 'delivered' }, delivered);
    if (expired) this.evictions?.inc({ reason: 'expired' }, expired);
  }

  /** A write cycle failed; returns the delay before the vault tries again. */
  failed(kind: 'disk' | 'io', cause: unknown): number {
    this.failures?.inc({ kind });
    if (!this.blocked || this.blocked.kind !== kind) {
      log.error(kind === 'disk'
        ? 'vault cannot write: the disk is full. New bundles are refused (507 StoreFullError); what is stored is kept and still relayed'
        : 'vault cannot write: I/O error. New bundles are refused (503 VaultWriteError); what is stored is kept and still relayed', { err: String((cause as Error)?.message ?? cause) });
    }
    this.blocked = { kind, cause, since: Date.now() };
    this.retryMs = Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, this.retryMs * 2));
    return this.retryMs;
  }

  get isBlocked(): 'disk' | 'io' | undefined {
    return this.blocked?.kind;
  }

  /**
   * A write cycle committed: a blocked vault takes bundles again. The retry delay starts afresh only once a cycle
   * that stored bundles committed (a probe can fit where a cycle of bundles does not).
   */
  succeeded(tookBundles: boolean): void {
    if (tookBundles) this.retryMs = 0;
    if (!this.blocked) return;
    log.info('vault writes again: new bundles are taken', { blockedForMs: Date.now() - this.blocked.since });
    this.blocked = undefined;
  }
}

/** First retry 1 s after a failed write cycle, doubling up to 10 s: a freed disk is noticed within seconds. */
const MIN_RETRY_MS = 1_000;
const MAX_RETRY_MS = 10_000;
