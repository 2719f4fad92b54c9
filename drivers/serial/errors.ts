/** Errors of the serial/byte-link layer; tests assert on `name`. */
export class LinkClosedError extends Error {
  override name = 'LinkClosedError';
  constructor(readonly link: string, options?: { cause?: unknown }) {
    super(`link ${link} is closed`, options);
  }
}

export class LinkOpenError extends Error {
  override name = 'LinkOpenError';
  constructor(readonly link: string, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`cannot open ${link}${why} (is the device plugged in and readable by this user?)`, options);
  }
}
