/**
 * The `sent` index (u64be receivedAt | id -> '', bundles created here: the dashboard's sent list) came after the
 * vault's format: a vault written before it has its own bundles without entries. At the first start that finds no
 * `sent-index` mark in `meta`, one pass over the rows lists those created here (their header's flag; a foreign DM
 * to this relay, which the ingest leaves out, cannot be told apart here and is listed too), then sets the mark:
 * once per vault, before the writer starts, so nothing else writes meanwhile.
 */
import type { RootDatabase } from 'lmdb';
import { ROW_CREATED, rowReceivedAt } from './bundle-row.js';
import { timeIdKey } from './vault-keys.js';
import type { VaultTables } from './vault-tables.js';

const MARK = 'sent-index';
const EMPTY = Buffer.alloc(0);

/** Lists the created rows of a vault from before the index; returns how many (0 once the mark is set). */
export async function backfillSentIndex(root: RootDatabase, t: VaultTables): Promise<number> {
  if (t.meta.get(MARK) === 1) return 0;
  let listed = 0;
  try {
    await root.transaction(() => {
      for (const db of [t.bundles, t.expired]) {
        for (const { key, value } of db.getRange({})) {
          if (value.length < 18 || (value[1]! & ROW_CREATED) === 0) continue;
          t.sent.put(timeIdKey(rowReceivedAt(value), key), EMPTY);
          listed++;
        }
      }
      t.meta.put(MARK, 1);
    });
  } catch {
    // A full disk (or a failing one) must not keep the vault from opening: the list is only the dashboard's; the
    // mark is not set, so the next start tries again.
    return 0;
  }
  return listed;
}
