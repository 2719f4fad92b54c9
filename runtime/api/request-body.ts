/**
 * Reading a JSON request body with a hard size limit: a declared Content-Length above the limit is refused before
 * reading, a streamed body is cut off as soon as it passes the limit (a client cannot make the relay buffer more).
 */
import type { IncomingMessage } from 'node:http';
import { BadJsonError, BodyTooLargeError, UnsupportedMediaTypeError } from './errors.js';

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'];
  // Requiring application/json makes browsers preflight cross-site requests, which this API never approves: a web
  // page cannot make a relay on localhost send messages (the "simple request" CSRF hole of text/plain forms).
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) throw new UnsupportedMediaTypeError(type);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks, size).toString('utf8');
  if (text.trim() === '') throw new BadJsonError('the request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadJsonError(`the request body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}
