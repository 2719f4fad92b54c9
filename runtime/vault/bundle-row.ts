/**
 * Row format of the `bundles` (and `expired`) sub-databases: a small header the vault needs without decoding the
 * bundle, then the encoded bundle exactly as received (custody chain as it arrived).
 *
 *   u8 format (1) | u8 flags (bit0 created here, bit1 in inbox) | u64be receivedAt | u64be expiresAt |
 *   u8 len + bearer name | u8 len + link-level sender | encoded bundle
 */
import { VaultRowError } from './errors.js';
import { readU64BE, writeU64BE } from './vault-keys.js';

const FORMAT = 1;
export const ROW_CREATED = 1;
export const ROW_INBOX = 2;

export interface BundleRow {
  receivedAt: number;
  expiresAt: number;
  created: boolean;
  inbox: boolean;
  bearer?: string;
  from?: string;
  /** The encoded bundle. */
  bytes: Uint8Array;
}

const short = (s: string | undefined): Buffer => {
  const b = Buffer.from(s ?? '', 'utf8');
  return b.length > 255 ? b.subarray(0, 255) : b;
};

export function encodeBundleRow(r: BundleRow): Buffer {
  const bearer = short(r.bearer);
  const from = short(r.from);
  const out = Buffer.allocUnsafe(2 + 16 + 2 + bearer.length + from.length + r.bytes.length);
  out[0] = FORMAT;
  out[1] = (r.created ? ROW_CREATED : 0) | (r.inbox ? ROW_INBOX : 0);
  writeU64BE(out, r.receivedAt, 2);
  writeU64BE(out, r.expiresAt, 10);
  let o = 18;
  out[o++] = bearer.length;
  o += bearer.copy(out, o);
  out[o++] = from.length;
  o += from.copy(out, o);
  out.set(r.bytes, o);
  return out;
}

/** A row's receivedAt, read in place (no copy of the bundle). */
export function rowReceivedAt(value: Uint8Array): number {
  if (value.length < 18) throw new VaultRowError('bundles', 'shorter than its header');
  return readU64BE(Buffer.from(value.buffer, value.byteOffset, value.byteLength), 2);
}

export function decodeBundleRow(value: Uint8Array, db = 'bundles'): BundleRow {
  const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (b.length < 20) throw new VaultRowError(db, 'shorter than its header');
  if (b[0] !== FORMAT) throw new VaultRowError(db, `format ${b[0]}`);
  const flags = b[1]!;
  const receivedAt = readU64BE(b, 2);
  const expiresAt = readU64BE(b, 10);
  let o = 18;
  const bl = b[o++]!;
  if (o + bl + 1 > b.length) throw new VaultRowError(db, 'truncated bearer');
  const bearer = b.toString('utf8', o, o + bl);
  o += bl;
  const fl = b[o++]!;
  if (o + fl > b.length) throw new VaultRowError(db, 'truncated sender');
  const from = b.toString('utf8', o, o + fl);
  o += fl;
  const row: BundleRow = {
    receivedAt,
    expiresAt,
    created: (flags & ROW_CREATED) !== 0,
    inbox: (flags & ROW_INBOX) !== 0,
    bytes: new Uint8Array(b.subarray(o)),
  };
  if (bl) row.bearer = bearer;
  if (fl) row.from = from;
  return row;
}
