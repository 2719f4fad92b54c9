/**
 * The signal of one send: aborts when the router stops (`parent`) or after `ms` (TimeoutError), and lets go of both
 * once done() is called.
 *
 * Not AbortSignal.any([parent, AbortSignal.timeout(ms)]): Node 20 keeps a WeakRef to every signal derived from a
 * long-lived one for as long as that one lives, and the router's stop signal lives as long as the relay. One per
 * send was the sender's whole anonymous-memory growth in the hour-long soak (+16 MB/h at 50 sends/s; heap
 * snapshots 8 minutes apart differed by 23,708 WeakRefs, one per message). AbortSignal.timeout also keeps its timer
 * for the full timeout; this one is cleared when the send settles.
 */
export interface SendDeadline {
  readonly signal: AbortSignal;
  done(): void;
}

export function sendDeadline(parent: AbortSignal, ms: number, what: string): SendDeadline {
  const ctl = new AbortController();
  const onStop = (): void => ctl.abort(parent.reason);
  const timer = setTimeout(() => ctl.abort(new DOMException(`${what} timed out after ${ms} ms`, 'TimeoutError')), ms);
  timer.unref(); // like AbortSignal.timeout: a pending send does not keep the process alive
  if (parent.aborted) onStop();
  else parent.addEventListener('abort', onStop, { once: true });
  return {
    signal: ctl.signal,
    done() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onStop);
    },
  };
}
