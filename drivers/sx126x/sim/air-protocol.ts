/**
 * The line protocol of the shared simulated air (AIR-PROTOCOL.md): newline-delimited JSON, one object a line.
 * Parsing is strict about fields and tolerant about lines: anything that is not a valid request comes back as
 * `{ ignored: reason }` (the air counts it and goes on), never as a throw.
 */
import { bandwidthCode } from '../modulation.js';
import type { AirTuning } from './air-channel.js';
import type { AirEvent, AirStats } from './shared-air.js';

/** Longest line either side accepts, bytes: a 255-byte `rx` is about 600 characters. Longer lines are dropped. */
export const MAX_LINE_BYTES = 4096;

export type AirRequest = { op: 'tune'; tuning: AirTuning } | { op: 'tx'; data: Uint8Array } | { op: 'stats' };

export type IgnoredReason = 'blank' | 'not-json' | 'unknown-op' | 'bad-fields' | 'too-long';

export type ParsedLine = AirRequest | { ignored: IgnoredReason; detail?: string };

const HEX = /^(?:[0-9a-fA-F]{2}){0,255}$/;

export function parseAirRequest(line: string): ParsedLine {
  const text = line.trim();
  if (text === '') return { ignored: 'blank' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ignored: 'not-json' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ignored: 'not-json' };
  const o = v as Record<string, unknown>;
  switch (o.op) {
    case 'tune': {
      const problem = tuningProblem(o);
      if (problem) return { ignored: 'bad-fields', detail: problem };
      return {
        op: 'tune',
        tuning: { freqHz: o.freqHz as number, bwHz: o.bwHz as number, sf: o.sf as number, cr: o.cr as number, syncWord: o.syncWord as number, preamble: o.preamble as number, x: (o.x as number | undefined) ?? 0, y: (o.y as number | undefined) ?? 0 },
      };
    }
    case 'tx': {
      if (typeof o.data !== 'string' || !HEX.test(o.data)) return { ignored: 'bad-fields', detail: 'data must be 0..255 bytes as an even number of hex digits' };
      return { op: 'tx', data: Uint8Array.from(Buffer.from(o.data, 'hex')) };
    }
    case 'stats':
      return { op: 'stats' };
    default:
      return { ignored: 'unknown-op' };
  }
}

function tuningProblem(o: Record<string, unknown>): string | undefined {
  const int = (k: string, lo: number, hi: number) => (Number.isInteger(o[k]) && (o[k] as number) >= lo && (o[k] as number) <= hi ? undefined : `${k} must be an integer ${lo}..${hi}`);
  const finite = (k: string) => (o[k] === undefined || (typeof o[k] === 'number' && Number.isFinite(o[k])) ? undefined : `${k} must be a number (metres)`);
  if (!(typeof o.freqHz === 'number' && o.freqHz >= 100e6 && o.freqHz <= 1100e6)) return 'freqHz must be a number 100e6..1100e6';
  if (typeof o.bwHz !== 'number') return 'bwHz must be a LoRa bandwidth in Hz';
  try {
    bandwidthCode(o.bwHz);
  } catch {
    return 'bwHz must be a LoRa bandwidth in Hz (7810 … 500000)';
  }
  return int('sf', 5, 12) ?? int('cr', 5, 8) ?? int('syncWord', 0, 255) ?? int('preamble', 1, 65535) ?? finite('x') ?? finite('y');
}

/** One air → client line, without the newline. */
export function encodeAirEvent(e: AirEvent | ({ op: 'stats' } & AirStats)): string {
  if (e.op === 'rx') return JSON.stringify({ op: 'rx', data: Buffer.from(e.data).toString('hex'), rssiDbm: e.rssiDbm, snrDb: e.snrDb });
  return JSON.stringify(e);
}

/** One client → air line, without the newline. */
export function encodeAirRequest(r: AirRequest): string {
  if (r.op === 'tx') return JSON.stringify({ op: 'tx', data: Buffer.from(r.data).toString('hex') });
  if (r.op === 'tune') return JSON.stringify({ op: 'tune', ...r.tuning });
  return JSON.stringify(r);
}

/** An air → client line as the client reads it; undefined for anything else (the client counts and ignores it). */
export function parseAirEvent(line: string): AirEvent | ({ op: 'stats' } & AirStats) | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  switch (o.op) {
    case 'tuned':
      return { op: 'tuned' };
    case 'txdone':
      return typeof o.airtimeMs === 'number' ? { op: 'txdone', airtimeMs: o.airtimeMs } : undefined;
    case 'rx':
      if (typeof o.data !== 'string' || !HEX.test(o.data) || typeof o.rssiDbm !== 'number' || typeof o.snrDb !== 'number') return undefined;
      return { op: 'rx', data: Uint8Array.from(Buffer.from(o.data, 'hex')), rssiDbm: o.rssiDbm, snrDb: o.snrDb };
    case 'error':
      return o.error === 'busy' || o.error === 'untuned' ? { op: 'error', error: o.error } : undefined;
    case 'stats':
      return o as unknown as { op: 'stats' } & AirStats;
    default:
      return undefined;
  }
}

/**
 * Splits a byte stream into lines (LF, an optional CR before it dropped). A line longer than MAX_LINE_BYTES is
 * dropped whole, reported once as `tooLong`, and reading resyncs at the next newline.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(private readonly onLine: (line: string) => void, private readonly onTooLong: () => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      this.take(chunk.subarray(start, nl));
      if (!this.skipping) {
        const whole = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
        this.onLine(whole.toString('utf8').replace(/\r$/, ''));
      }
      this.parts = [];
      this.size = 0;
      this.skipping = false;
      start = nl + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  private take(piece: Buffer): void {
    if (this.skipping) return;
    if (this.size + piece.length > MAX_LINE_BYTES) {
      this.skipping = true;
      this.parts = [];
      this.size = 0;
      this.onTooLong();
      return;
    }
    this.parts.push(Buffer.from(piece));
    this.size += piece.length;
  }
}
