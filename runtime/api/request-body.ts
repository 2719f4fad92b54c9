/**
 * Reading a JSON request body with a hard size limit: a declared Content-Length above the limit is refused before
 * reading, a streamed body is cut off as soon as it passes the limit (a client cannot make the relay buffer more).
 * JSON is UTF-8 (RFC 8259 §8.1): a declared charset other than UTF-8 is refused with 415 UnsupportedCharsetError
 * (decoding other charsets would only invite mojibake), and bytes that are not UTF-8 with 400 InvalidUtf8Error
 * instead of being replaced with U+FFFD.
 */
import type { IncomingMessage } from 'node:http';
import { BadJsonError, BodyTooLargeError, InvalidUtf8Error, UnsupportedCharsetError, UnsupportedMediaTypeError } from './errors.js';

/** WHATWG encoding labels of UTF-8 that clients send. */
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'];
  // Requiring application/json makes browsers preflight cross-site requests, which this API never approves: a web
  // page cannot make a relay on localhost send messages (the "simple request" CSRF hole of text/plain forms).
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) throw new UnsupportedMediaTypeError(type);
  const charset = mediaTypeParameter(type, 'charset');
  if (charset !== undefined && !UTF8_LABELS.has(charset.toLowerCase())) throw new UnsupportedCharsetError(charset);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  const text = decodeUtf8(Buffer.concat(chunks, size), 'the request body');
  if (text.trim() === '') throw new BadJsonError('the request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadJsonError(`the request body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Strict UTF-8 (a leading BOM is dropped, as RFC 8259 allows); InvalidUtf8Error naming `where` otherwise. */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidUtf8Error(where);
  }
}

/** A parameter of a Content-Type value (RFC 9110 §8.3.1: case-insensitive name, token or quoted-string value). */
function mediaTypeParameter(type: string, name: string): string | undefined {
  for (const part of type.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
  }
  return undefined;
}

/**
 * Refuses a query string whose percent-escapes decode to bytes that are not UTF-8 (URLSearchParams would turn them
 * into U+FFFD silently, e.g. a shard file name).
 */
export function checkQueryUtf8(search: string): void {
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair.includes('%')) continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    decodeUtf8(percentDecode(pair), `the query parameter ${JSON.stringify(name.slice(0, 40))}`);
  }
}

/** The bytes a form-encoded string stands for: %XX escapes as bytes, `+` as a space, the rest as its UTF-8. */
function percentDecode(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-f]{2}$/i.test(s.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === 0x2b) {
      out.push(0x20);
    } else {
      out.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  return Uint8Array.from(out);
}
