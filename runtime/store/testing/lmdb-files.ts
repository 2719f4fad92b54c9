/**
 * Test support: real LMDB environments written by lmdb-js in a temp directory, ways to damage them the way disks,
 * power cuts and careless operators do, and a child process that opens one with LMDB (a crash there is a signal
 * in the child, not the end of the test run).
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readSync, writeSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { open } from 'lmdb';
import { layout, nativeWordSize, type Layout } from '../lmdb-layout.js';

export const L: Layout = layout(nativeWordSize());
export const PSIZE = 4096;

/** Writes `rounds` transactions of `perRound` entries into four named databases (every 7th value 9 KB: overflow pages). */
export async function writeEnv(path: string, rounds: number, perRound: number, start = 0): Promise<number> {
  const root = open({ path, maxDbs: 8 });
  const dbs = ['bundles', 'outbox', 'trace', 'meta'].map((name) => root.openDB<Buffer, Buffer>(name, { keyEncoding: 'binary', encoding: 'binary' }));
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < perRound; i++, n++) {
      const k = start + n;
      writes.push(dbs[k % 4]!.put(Buffer.from(`key-${String(k).padStart(8, '0')}`), Buffer.alloc(k % 7 === 0 ? 9000 : 300, k & 0xff)));
    }
    await Promise.all(writes);
    await root.flushed;
  }
  await root.close();
  return n;
}

/** The byte offset of a meta's fields: page 0, page 1, or the flushed half-page meta. */
export function metaOffset(which: 0 | 1 | 'flushed'): number {
  const page = which === 'flushed' ? PSIZE / 2 : which * PSIZE;
  return page + L.pageHeader;
}

export type MetaField = 'version' | 'lastPg' | 'txnid' | 'bootId' | 'flags' | 'mainRoot';

/** Reads a meta field as a bigint. */
export function readMetaField(file: string, which: 0 | 1 | 'flushed', field: MetaField): bigint {
  const [at, size] = fieldAt(which, field);
  const buf = Buffer.alloc(size);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, size, at);
  } finally {
    closeSync(fd);
  }
  return size === 8 ? buf.readBigUInt64LE(0) : size === 4 ? BigInt(buf.readUInt32LE(0)) : BigInt(buf.readUInt16LE(0));
}

/** Overwrites a meta field in place. */
export function writeMetaField(file: string, which: 0 | 1 | 'flushed', field: MetaField, value: bigint): void {
  const [at, size] = fieldAt(which, field);
  const buf = Buffer.alloc(size);
  if (size === 8) buf.writeBigUInt64LE(BigInt.asUintN(64, value));
  else if (size === 4) buf.writeUInt32LE(Number(value));
  else buf.writeUInt16LE(Number(value));
  writeAt(file, at, buf);
}

function fieldAt(which: 0 | 1 | 'flushed', field: MetaField): [number, number] {
  const m = metaOffset(which);
  switch (field) {
    case 'version':
      return [m + L.meta.version, 4];
    case 'lastPg':
      return [m + L.meta.lastPg, L.word];
    case 'txnid':
      return [m + L.meta.txnid, L.word];
    case 'bootId':
      return [m + L.meta.bootId, 8];
    case 'flags':
      return [m + L.meta.dbs + L.db.flags, 2];
    case 'mainRoot':
      return [m + L.meta.dbs + L.db.size + L.db.root, L.word];
  }
}

export function writeAt(file: string, position: number, bytes: Uint8Array): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, position);
  } finally {
    closeSync(fd);
  }
}

/** The meta page (0 or 1) holding the newest transaction. */
export function newestMetaPage(file: string): 0 | 1 {
  return readMetaField(file, 0, 'txnid') >= readMetaField(file, 1, 'txnid') ? 0 : 1;
}

export function bytesOf(file: string): Buffer {
  return readFileSync(file);
}

const CHILD = `
import { open } from 'lmdb';
const root = open({ path: process.argv[1], maxDbs: 8 });
const counts = {};
for (const name of root.getKeys()) {
  const db = root.openDB(String(name), { keyEncoding: 'binary', encoding: 'binary' });
  let n = 0;
  for (const { value } of db.getRange()) { n++; if (!value.length) throw new Error('empty value'); }
  counts[String(name)] = n;
}
if (process.argv[2] === 'write') {
  const db = root.openDB('bundles', { keyEncoding: 'binary', encoding: 'binary' });
  for (let i = 0; i < 200; i++) db.put(Buffer.from('after-' + i), Buffer.alloc(i % 7 === 0 ? 9000 : 300, 7));
  await root.flushed;
}
await root.close();
process.stdout.write(JSON.stringify(counts));
`;

/** Opens the environment with lmdb-js in a child process and counts every database's entries (optionally writes). */
export function openInChild(path: string, mode: 'read' | 'write' = 'read'): Promise<{ code: number | null; signal: NodeJS.Signals | null; counts?: Record<string, number>; stderr: string }> {
  const cwd = fileURLToPath(new URL('../../../', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, path, mode], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code, signal) => {
      let counts: Record<string, number> | undefined;
      try {
        counts = code === 0 ? JSON.parse(out) : undefined;
      } catch {
        counts = undefined;
      }
      resolve({ code, signal, counts, stderr: err });
    });
  });
}
