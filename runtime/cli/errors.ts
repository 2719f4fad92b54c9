/** CLI errors; tests assert on `name`. */

/** The command line is wrong (unknown command or flag, missing argument): exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}
