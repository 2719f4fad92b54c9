/**
 * POST /login's body: the HTML form's `application/x-www-form-urlencoded` `token=…` (the login works without
 * JavaScript). Small and strict: at most 4 KiB, UTF-8, one `token` field.
 */
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { decodeUtf8 } from '../request-body.js';

const LOGIN_BODY_MAX = 4096;

export async function readLoginToken(req: IncomingMessage): Promise<string> {
  const type = req.headers['content-type'];
  if (!type || !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) throw new UnsupportedMediaTypeError(type, 'application/x-www-form-urlencoded');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > LOGIN_BODY_MAX) throw new BodyTooLargeError(LOGIN_BODY_MAX);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LOGIN_BODY_MAX) throw new BodyTooLargeError(LOGIN_BODY_MAX);
    chunks.push(chunk);
  }
  const form = new URLSearchParams(decodeUtf8(Buffer.concat(chunks, size), 'the login form'));
  const token = form.get('token');
  if (token === null || token === '') throw new ValidationError('the login form has no token');
  return token;
}
