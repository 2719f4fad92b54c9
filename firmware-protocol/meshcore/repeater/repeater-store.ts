/**
 * Where the repeater keeps what the firmware keeps in flash: /prefs.json (NodePrefs), /s_contacts (the ACL) and
 * /regions2 (the region map), each in the firmware's own layout (prefs.ts, client-acl.ts, region-map.ts). The
 * repeater writes the whole state at once but only changes the part the firmware would save at that moment (a
 * `region allowf` is not persisted until `region save`, as on the device).
 *
 * JsonFileRepeaterStore keeps it in one JSON file (binary parts as hex), written to a temporary file, fsynced and
 * renamed so that a power cut leaves the old or the new file, never a torn one. MemoryRepeaterStore is for tests.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { RepeaterStoreError } from './errors.js';

export interface RepeaterState {
  /** NodePrefs in the /prefs.json shape (prefsToJson). */
  prefs?: Record<string, unknown>;
  /** The /s_contacts bytes. */
  acl?: Uint8Array;
  /** The /regions2 bytes. */
  regions?: Uint8Array;
}

export interface RepeaterStore {
  /** The saved state; an empty object when nothing was saved yet. Throws RepeaterStoreError when unreadable. */
  load(): RepeaterState;
  /** Replaces the saved state. Throws RepeaterStoreError. */
  save(state: RepeaterState): void;
}

export class MemoryRepeaterStore implements RepeaterStore {
  /** Every state saved, in order (tests check what was persisted when). */
  readonly saves: RepeaterState[] = [];
  constructor(private state: RepeaterState = {}) {}
  load(): RepeaterState {
    return { ...this.state };
  }
  save(state: RepeaterState): void {
    this.state = { ...state };
    this.saves.push(this.state);
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: unknown): Uint8Array | undefined =>
  typeof s === 'string' && /^(?:[0-9a-f]{2})*$/i.test(s) ? new Uint8Array(Buffer.from(s, 'hex')) : undefined;

export class JsonFileRepeaterStore implements RepeaterStore {
  constructor(readonly path: string) {}

  load(): RepeaterState {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new RepeaterStoreError(this.path, 'read', { cause: err });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new RepeaterStoreError(this.path, 'parse', { cause: err });
    }
    if (typeof json !== 'object' || json === null) throw new RepeaterStoreError(this.path, 'parse', { cause: new Error('not an object') });
    const o = json as Record<string, unknown>;
    const state: RepeaterState = {};
    if (typeof o.prefs === 'object' && o.prefs !== null) state.prefs = o.prefs as Record<string, unknown>;
    const acl = unhex(o.acl);
    if (acl) state.acl = acl;
    const regions = unhex(o.regions);
    if (regions) state.regions = regions;
    return state;
  }

  save(state: RepeaterState): void {
    const body = JSON.stringify(
      { version: 1, prefs: state.prefs, acl: state.acl ? hex(state.acl) : undefined, regions: state.regions ? hex(state.regions) : undefined },
      null,
      2,
    );
    const tmp = `${this.path}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, body);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
    } catch (err) {
      throw new RepeaterStoreError(this.path, 'write', { cause: err });
    }
  }
}
