/** Router errors; tests assert on `name`. */
export class RouterStoppedError extends Error {
  override name = 'RouterStoppedError';
  constructor(readonly operation: string) {
    super(`router is not running (${operation})`);
  }
}
