/**
 * A client port that falls back to one the system picks when the wanted one is taken (the simulated default's
 * Meshtastic client API on 4403 and MeshCore companion port on 5000: a second relay on the same machine, e.g. two
 * test files in parallel, must still come up).
 *
 * The bind itself is the test. The simulated default used to probe the port (bind, close) and bind it for real later:
 * two relays starting at once both found 4403 free, and the second died with EADDRINUSE (issue 14, flaky
 * sim-default/meshtastic-http tests).
 */

/** Whether `err`, or an error it wraps as its `cause` (CompanionListenError), is a listen on a taken address. */
export function addressInUse(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return true;
  }
  return false;
}

/**
 * `listen(port)`; when `orAnyPort` and that port is taken, `listen(0)` instead. Returns whether it fell back (the
 * caller reports the real port). Any other error, or a taken port without `orAnyPort`, is thrown as it came.
 */
export async function listenOrAnyPort(listen: (port: number) => Promise<void>, port: number, orAnyPort: boolean): Promise<boolean> {
  try {
    await listen(port);
    return false;
  } catch (err) {
    if (!orAnyPort || port === 0 || !addressInUse(err)) throw err;
  }
  await listen(0);
  return true;
}
