/**
 * Test support, the one polling wait: calls `check` every `pollMs` until it returns a truthy value (awaiting it when
 * it is a promise) and returns that value. A check that throws counts as "not yet" (a server not listening yet, a
 * file not written yet); the timeout error names what it waited for and the last error the check threw (as `cause`).
 * Tests wait for a positive event this way rather than sleeping and asserting that nothing happened.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
  pollMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last === undefined ? '' : `: ${last instanceof Error ? last.message : String(last)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`, last === undefined ? undefined : { cause: last });
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
