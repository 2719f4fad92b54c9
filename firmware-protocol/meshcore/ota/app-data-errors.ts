/** One helper for the app-data decoders of this folder: every layout problem is a typed 'payload-layout' error. */
import { MeshCoreMalformedPacketError } from './errors.js';

export function layoutError(what: string, detail: string): MeshCoreMalformedPacketError {
  return new MeshCoreMalformedPacketError('payload-layout', `${what}: ${detail}`);
}

export function need(what: string, data: Uint8Array, n: number): void {
  if (data.length < n) throw layoutError(what, `${data.length} bytes, needs ${n}`);
}

export function view(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

/** Bytes up to the first NUL (a C string in a zero-padded decrypted buffer). */
export function cString(data: Uint8Array): Uint8Array {
  const nul = data.indexOf(0);
  return nul >= 0 ? data.subarray(0, nul) : data;
}
