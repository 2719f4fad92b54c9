/** HTTP API errors; tests assert on `name`. Responses carry `{ error: { name, message } }`. */

/** A request the API refuses; `status` is the HTTP status it answers with. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(readonly status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class BadJsonError extends HttpError {
  override name = 'BadJsonError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(400, message, options);
  }
}

export class ValidationError extends HttpError {
  override name = 'ValidationError';
  constructor(message: string) {
    super(400, message);
  }
}

export class BodyTooLargeError extends HttpError {
  override name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(413, `request body is larger than ${limit} bytes`);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  override name = 'UnsupportedMediaTypeError';
  constructor(readonly contentType: string | undefined, readonly expected = 'application/json') {
    super(415, `send the body ${expected === 'application/json' ? 'as JSON ' : ''}with Content-Type: ${expected}${contentType ? ` (got ${contentType})` : ''}`);
  }
}

/** JSON is UTF-8 (RFC 8259 §8.1): a body declared in another charset is refused rather than misread. */
export class UnsupportedCharsetError extends HttpError {
  override name = 'UnsupportedCharsetError';
  constructor(readonly charset: string) {
    super(415, `the body must be UTF-8 (got charset=${JSON.stringify(charset.slice(0, 40))}): send Content-Type: application/json; charset=utf-8, or no charset`);
  }
}

/** Bytes that are not UTF-8 are refused rather than replaced with U+FFFD (which would change the message). */
export class InvalidUtf8Error extends HttpError {
  override name = 'InvalidUtf8Error';
  constructor(readonly where: string) {
    super(400, `${where} is not valid UTF-8`);
  }
}

export class UnauthorizedError extends HttpError {
  override name = 'UnauthorizedError';
  constructor(message = 'missing or wrong token: send Authorization: Bearer <token>') {
    super(401, message);
  }
}

export class ForbiddenHostError extends HttpError {
  override name = 'ForbiddenHostError';
  constructor(readonly host: string | undefined) {
    super(403, `Host ${JSON.stringify(host ?? '')} is not this relay's loopback address`);
  }
}

export class NotFoundError extends HttpError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super(404, message);
  }
}

export class MethodNotAllowedError extends HttpError {
  override name = 'MethodNotAllowedError';
  constructor(readonly method: string, readonly allowed: string[]) {
    super(405, `${method} is not allowed here (allowed: ${allowed.join(', ')})`);
  }
}

/** A listener could not bind. */
export class ListenError extends Error {
  override name = 'ListenError';
  constructor(readonly what: string, readonly host: string, readonly port: number, readonly code: string | undefined, options?: { cause?: unknown }) {
    const why =
      code === 'EADDRINUSE' ? 'address already in use (is another relay running?)' :
      code === 'EADDRNOTAVAIL' ? 'no such local address' :
      code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' :
      (options?.cause as Error | undefined)?.message ?? 'unknown error';
    super(`${what}: cannot listen on ${host.includes(':') ? `[${host}]` : host}:${port}: ${why}`, options);
  }
}

/** The API would be reachable from other machines without a token. */
export class TokenRequiredError extends Error {
  override name = 'TokenRequiredError';
  constructor(readonly host: string) {
    super(`refusing to serve the API on ${host} without a token: other machines can reach it. Set api.token (or LATTICE_API_TOKEN), or bind the API to 127.0.0.1`);
  }
}

/** The relay's API answered with an error (client side). */
export class ApiResponseError extends Error {
  override name = 'ApiResponseError';
  constructor(readonly status: number, readonly errorName: string, message: string) {
    super(message);
  }
}

/** Nothing answers at the API address (client side). */
export class RelayUnreachableError extends Error {
  override name = 'RelayUnreachableError';
  constructor(readonly url: string, options?: { cause?: unknown }) {
    super(`no relay answering at ${url} — start one with \`lattice run\``, options);
  }
}

/** The relay's API took too long to answer (client side). */
export class RelayTimeoutError extends Error {
  override name = 'RelayTimeoutError';
  constructor(readonly url: string, readonly timeoutMs: number, options?: { cause?: unknown }) {
    super(`the relay at ${url} did not answer within ${timeoutMs / 1000} s`, options);
  }
}

/** The dashboard's static files are not where the package keeps them (`web/`): a broken install. */
export class DashboardFilesMissingError extends Error {
  override name = 'DashboardFilesMissingError';
  constructor(readonly path: string, options?: { cause?: unknown }) {
    super(`the dashboard's files are missing (looked for index.html and login.html in or above ${path}); reinstall the package`, options);
  }
}
