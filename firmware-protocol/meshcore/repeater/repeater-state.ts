/**
 * The repeater's persistent state and how it is saved: prefs, ACL and region map loaded from a RepeaterStore at
 * construction and written back part by part as the firmware writes its files (savePrefs → /prefs.json, the ACL
 * LAZY_CONTACTS_WRITE_DELAY after a change → /s_contacts, `region save` / `region default` → /regions2). A store
 * that fails is logged and counted; the repeater goes on from memory (nothing crashes the daemon).
 */
import type { TimerClock, CancelTimer } from '../../../lib/clock/timer-clock.js';
import { ClientACL } from './client-acl.js';
import { defaultRepeaterPrefs, prefsFromJson, prefsToJson, type RepeaterPrefs } from './prefs.js';
import { RegionMap } from './region-map.js';
import type { RepeaterState, RepeaterStore } from './repeater-store.js';

/** MyMesh.cpp LAZY_CONTACTS_WRITE_DELAY. */
export const LAZY_CONTACTS_WRITE_DELAY_MS = 5000;

export class RepeaterPersistence {
  readonly prefs: RepeaterPrefs;
  readonly acl: ClientACL;
  readonly regions = new RegionMap();
  storeErrors = 0;
  private saved: RepeaterState = {};
  private aclTimer: CancelTimer | undefined;

  constructor(
    private readonly store: RepeaterStore,
    private readonly timers: TimerClock,
    sharedSecret: (publicKey: Uint8Array) => Uint8Array,
    private readonly log: (line: string) => void,
  ) {
    this.acl = new ClientACL(sharedSecret);
    try {
      this.saved = store.load();
    } catch (err) {
      this.failed('load', err);
    }
    this.prefs = this.saved.prefs ? prefsFromJson(this.saved.prefs) : defaultRepeaterPrefs();
    if (this.saved.acl) this.acl.decode(this.saved.acl);
    if (this.saved.regions && !this.regions.decode(this.saved.regions)) this.log('meshcore repeater: region map file is torn; kept what could be read');
  }

  /** MyMesh::savePrefs. */
  savePrefs(): boolean {
    return this.write({ ...this.saved, prefs: prefsToJson(this.prefs) });
  }

  /** MyMesh::saveRegions (RegionMap::save). */
  saveRegions(): boolean {
    return this.write({ ...this.saved, regions: this.regions.encode() });
  }

  /** dirty_contacts_expiry: save the ACL 5 s from now (one write for a burst of logins). */
  aclChanged(): void {
    if (this.aclTimer) return;
    this.aclTimer = this.timers.setTimer(LAZY_CONTACTS_WRITE_DELAY_MS, () => {
      this.aclTimer = undefined;
      this.saveAcl();
    }, { name: 'meshcore-repeater-acl-save' });
  }

  /** Writes a pending ACL change now (stop). */
  flush(): void {
    if (!this.aclTimer) return;
    this.aclTimer();
    this.aclTimer = undefined;
    this.saveAcl();
  }

  private saveAcl(): boolean {
    return this.write({ ...this.saved, acl: this.acl.encode() });
  }

  private write(next: RepeaterState): boolean {
    try {
      this.store.save(next);
      this.saved = next;
      return true;
    } catch (err) {
      this.failed('save', err);
      return false;
    }
  }

  private failed(what: string, err: unknown): void {
    this.storeErrors++;
    this.log(`meshcore repeater: store ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
