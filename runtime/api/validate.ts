/** Validation of API inputs: every bad field is named in one 400 answer. */
import type { SendRequest } from '../node/relay-node.js';
import { MAX_BODY_BYTES } from '../bundle/bundle.js';
import { didYouMean } from '../config/suggest.js';
import { ValidationError } from './errors.js';

const SEND_KEYS = ['to', 'text', 'lifetimeMs'];
/** Bundle lifetimes the API accepts: one minute to 30 days (the vault's default is 7 days). */
export const MIN_LIFETIME_MS = 60_000;
export const MAX_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export function validateSendRequest(body: unknown): SendRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('the body must be a JSON object { "to": "...", "text": "..." }');
  }
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(b)) if (!SEND_KEYS.includes(key)) problems.push(`unknown field "${key}"${didYouMean(key, SEND_KEYS)}`);
  if (typeof b.to !== 'string' || b.to.trim() === '') problems.push('"to" must be a non-empty string: a node id (64 hex), a short id, "*" or a foreign address such as mt:!a1b2c3d4');
  else if (b.to.length > 200) problems.push('"to" is longer than 200 characters');
  if (typeof b.text !== 'string' || b.text === '') problems.push('"text" must be a non-empty string');
  else if (Buffer.byteLength(b.text, 'utf8') > MAX_BODY_BYTES) problems.push(`"text" is longer than ${MAX_BODY_BYTES} bytes of UTF-8`);
  if (b.lifetimeMs !== undefined && (typeof b.lifetimeMs !== 'number' || !Number.isInteger(b.lifetimeMs) || b.lifetimeMs < MIN_LIFETIME_MS || b.lifetimeMs > MAX_LIFETIME_MS)) {
    problems.push(`"lifetimeMs" must be a whole number of milliseconds from ${MIN_LIFETIME_MS} to ${MAX_LIFETIME_MS}`);
  }
  if (problems.length > 0) throw new ValidationError(problems.join('; '));
  const out: SendRequest = { to: (b.to as string).trim(), text: b.text as string };
  if (b.lifetimeMs !== undefined) out.lifetimeMs = b.lifetimeMs as number;
  return out;
}

/** A bundle id: 64 hex characters, returned lowercase. */
export function validateBundleId(id: string): string {
  if (!/^[0-9a-f]{64}$/i.test(id)) throw new ValidationError(`"${id.slice(0, 80)}" is not a bundle id (64 hex characters)`);
  return id.toLowerCase();
}

const INBOX_PARAMS = ['limit', 'since'];
export const DEFAULT_INBOX_LIMIT = 50;
export const MAX_INBOX_LIMIT = 1000;

export function validateInboxQuery(query: URLSearchParams): { limit: number; since?: number } {
  const problems: string[] = [];
  for (const key of query.keys()) if (!INBOX_PARAMS.includes(key)) problems.push(`unknown parameter "${key}"${didYouMean(key, INBOX_PARAMS)}`);
  const out: { limit: number; since?: number } = { limit: DEFAULT_INBOX_LIMIT };
  const limit = query.get('limit');
  if (limit !== null) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_INBOX_LIMIT) problems.push(`"limit" must be a whole number from 1 to ${MAX_INBOX_LIMIT}`);
    else out.limit = Number(limit);
  }
  const since = query.get('since');
  if (since !== null) {
    if (!/^\d{1,15}$/.test(since)) problems.push('"since" must be a time in milliseconds since the Unix epoch');
    else out.since = Number(since);
  }
  if (problems.length > 0) throw new ValidationError(problems.join('; '));
  return out;
}
