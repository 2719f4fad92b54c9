/**
 * The device state in one JSON file (the native node's `<dataDir>/meshtastic-<radio>.json`). Written to a temporary
 * file, flushed and renamed over the old one, so a power cut leaves either the old or the new state, never half of
 * one (the firmware's SafeFile does the same with a .tmp file and a rename).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { DeviceStoreCorruptError, DeviceStoreWriteError } from './errors.js';
import type { DeviceSnapshot, DeviceStore } from './device-store.js';

export class JsonFileDeviceStore implements DeviceStore {
  constructor(readonly where: string) {}

  load(): DeviceSnapshot | undefined {
    let text: string;
    try {
      text = readFileSync(this.where, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new DeviceStoreCorruptError(this.where, `cannot read: ${(err as Error).message}`, { cause: err });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new DeviceStoreCorruptError(this.where, 'not JSON', { cause: err });
    }
    const s = parsed as Partial<DeviceSnapshot> | null;
    if (!s || typeof s !== 'object' || s.version !== 1) throw new DeviceStoreCorruptError(this.where, `unknown version ${JSON.stringify(s?.version)}`);
    for (const k of ['owner', 'config', 'moduleConfig', 'cannedMessages', 'ringtone'] as const) {
      if (typeof s[k] !== 'string') throw new DeviceStoreCorruptError(this.where, `${k} is not a string`);
    }
    if (typeof s.myNodeNum !== 'number' || typeof s.rebootCount !== 'number') throw new DeviceStoreCorruptError(this.where, 'myNodeNum/rebootCount missing');
    if (!Array.isArray(s.channels) || !Array.isArray(s.nodes)) throw new DeviceStoreCorruptError(this.where, 'channels/nodes are not lists');
    return s as DeviceSnapshot;
  }

  save(snapshot: DeviceSnapshot): void {
    const tmp = `${this.where}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, JSON.stringify(snapshot));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.where);
    } catch (err) {
      throw new DeviceStoreWriteError(this.where, { cause: err });
    }
  }
}
