/**
 * Where the companion keeps what survives a restart (the firmware's DataStore: /new_prefs, /contacts3, /channels2,
 * the advert blobs): prefs, contacts, channels and the raw advert of each contact. One small interface with two
 * implementations: in memory (tests, the simulator) and one JSON file written atomically (temp file + rename), so a
 * power cut leaves the old or the new state, never half of one.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { fromHex, toHex } from '../bytes.js';
import type { ContactInfo } from './contacts-table.js';
import type { NodePrefs } from './node-prefs.js';
import { CompanionStateFormatError, CompanionStoreError } from './errors.js';
import { writeFileDurably } from '../../../lib/fs/durable-file.js';

export interface CompanionState {
  prefs: NodePrefs;
  contacts: ContactInfo[];
  channels: Array<{ index: number; name: string; secret: Uint8Array }>;
  /** Hex public key → raw advert packet. */
  advertBlobs: Map<string, Uint8Array>;
}

export interface CompanionStore {
  /** undefined when nothing was saved yet (first start, or after format). */
  load(): Promise<CompanionState | undefined>;
  save(state: CompanionState): Promise<void>;
  /** DataStore::formatFileSystem (CMD_FACTORY_RESET). */
  format(): Promise<void>;
  /** getStorageUsedKb / getStorageTotalKb. */
  usedKb(): number;
  totalKb(): number;
}

function clone(s: CompanionState): CompanionState {
  return decodeState(encodeState(s), 'memory');
}

export class MemoryCompanionStore implements CompanionStore {
  private state: CompanionState | undefined;
  private bytes = 0;
  saves = 0;

  async load(): Promise<CompanionState | undefined> {
    return this.state && clone(this.state);
  }
  async save(state: CompanionState): Promise<void> {
    this.bytes = JSON.stringify(encodeState(state)).length;
    this.state = clone(state);
    this.saves++;
  }
  async format(): Promise<void> {
    this.state = undefined;
    this.bytes = 0;
  }
  usedKb(): number {
    return Math.ceil(this.bytes / 1024);
  }
  totalKb(): number {
    return 1024;
  }
}

export class JsonFileCompanionStore implements CompanionStore {
  private bytes = 0;
  constructor(readonly path: string, private readonly totalKbytes = 4096) {}

  async load(): Promise<CompanionState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CompanionStoreError(this.path, 'load', err);
    }
    this.bytes = text.length;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new CompanionStateFormatError(this.path, `not JSON: ${(err as Error).message}`);
    }
    return decodeState(json, this.path);
  }

  async save(state: CompanionState): Promise<void> {
    const text = JSON.stringify(encodeState(state));
    try {
      // fsynced before and after the rename: without it a power cut could leave an empty file (contacts lost).
      await writeFileDurably(this.path, text);
      this.bytes = text.length;
    } catch (err) {
      throw new CompanionStoreError(this.path, 'save', err);
    }
  }

  async format(): Promise<void> {
    try {
      await rm(this.path, { force: true });
      this.bytes = 0;
    } catch (err) {
      throw new CompanionStoreError(this.path, 'format', err);
    }
  }

  usedKb(): number {
    return Math.ceil(this.bytes / 1024);
  }
  totalKb(): number {
    return this.totalKbytes;
  }

  /** The size on disk now (status). */
  async sizeOnDisk(): Promise<number> {
    return (await stat(this.path).catch(() => ({ size: 0 }))).size;
  }
}

// ---- JSON layout (version 1): byte fields as hex ----

export function encodeState(s: CompanionState): unknown {
  return {
    version: 1,
    prefs: { ...s.prefs, defaultScopeKey: toHex(s.prefs.defaultScopeKey) },
    contacts: s.contacts.map((c) => ({ ...c, publicKey: toHex(c.publicKey), outPath: toHex(c.outPath) })),
    channels: s.channels.map((c) => ({ index: c.index, name: c.name, secret: toHex(c.secret) })),
    advertBlobs: Object.fromEntries([...s.advertBlobs].map(([k, v]) => [k, toHex(v)])),
  };
}

function hex(v: unknown, where: string, path: string, len?: number): Uint8Array {
  if (typeof v !== 'string') throw new CompanionStateFormatError(path, `${where}: not a hex string`);
  let b: Uint8Array;
  try {
    b = fromHex(v);
  } catch {
    throw new CompanionStateFormatError(path, `${where}: not a hex string`);
  }
  if (len !== undefined && b.length !== len) throw new CompanionStateFormatError(path, `${where}: ${b.length} bytes, expected ${len}`);
  return b;
}

function obj(v: unknown, where: string, path: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new CompanionStateFormatError(path, `${where}: not an object`);
  return v as Record<string, unknown>;
}

function num(o: Record<string, unknown>, k: string, where: string, path: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CompanionStateFormatError(path, `${where}.${k}: not a number`);
  return v;
}

function str(o: Record<string, unknown>, k: string, where: string, path: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw new CompanionStateFormatError(path, `${where}.${k}: not a string`);
  return v;
}

export function decodeState(json: unknown, path: string): CompanionState {
  const root = obj(json, 'state', path);
  if (root.version !== 1) throw new CompanionStateFormatError(path, `unknown version ${String(root.version)}`);
  const p = obj(root.prefs, 'prefs', path);
  const prefs: NodePrefs = {
    nodeName: str(p, 'nodeName', 'prefs', path),
    freqKhz: num(p, 'freqKhz', 'prefs', path), bwHz: num(p, 'bwHz', 'prefs', path), sf: num(p, 'sf', 'prefs', path), cr: num(p, 'cr', 'prefs', path),
    txPowerDbm: num(p, 'txPowerDbm', 'prefs', path), rxDelayBaseMilli: num(p, 'rxDelayBaseMilli', 'prefs', path),
    airtimeFactorMilli: num(p, 'airtimeFactorMilli', 'prefs', path), manualAddContacts: num(p, 'manualAddContacts', 'prefs', path),
    autoaddConfig: num(p, 'autoaddConfig', 'prefs', path), autoaddMaxHops: num(p, 'autoaddMaxHops', 'prefs', path),
    telemetryModes: num(p, 'telemetryModes', 'prefs', path), advertLocPolicy: num(p, 'advertLocPolicy', 'prefs', path),
    multiAcks: num(p, 'multiAcks', 'prefs', path), lat: num(p, 'lat', 'prefs', path), lon: num(p, 'lon', 'prefs', path),
    blePin: num(p, 'blePin', 'prefs', path), repeat: p.repeat === true, pathHashMode: num(p, 'pathHashMode', 'prefs', path),
    defaultScopeName: str(p, 'defaultScopeName', 'prefs', path), defaultScopeKey: hex(p.defaultScopeKey, 'prefs.defaultScopeKey', path, 16),
  };
  if (!Array.isArray(root.contacts) || !Array.isArray(root.channels)) throw new CompanionStateFormatError(path, 'contacts and channels must be arrays');
  const contacts = root.contacts.map((v, i): ContactInfo => {
    const c = obj(v, `contacts[${i}]`, path);
    const w = `contacts[${i}]`;
    return {
      publicKey: hex(c.publicKey, `${w}.publicKey`, path, 32), type: num(c, 'type', w, path), flags: num(c, 'flags', w, path),
      outPathLen: num(c, 'outPathLen', w, path), outPath: hex(c.outPath, `${w}.outPath`, path, 64), name: str(c, 'name', w, path),
      lastAdvert: num(c, 'lastAdvert', w, path), lat: num(c, 'lat', w, path), lon: num(c, 'lon', w, path),
      lastMod: num(c, 'lastMod', w, path), syncSince: typeof c.syncSince === 'number' ? c.syncSince : 0,
    };
  });
  const channels = root.channels.map((v, i) => {
    const c = obj(v, `channels[${i}]`, path);
    return { index: num(c, 'index', `channels[${i}]`, path), name: str(c, 'name', `channels[${i}]`, path), secret: hex(c.secret, `channels[${i}].secret`, path) };
  });
  const blobs = obj(root.advertBlobs ?? {}, 'advertBlobs', path);
  const advertBlobs = new Map(Object.entries(blobs).map(([k, v]) => [k, hex(v, `advertBlobs.${k}`, path)]));
  return { prefs, contacts, channels, advertBlobs };
}
