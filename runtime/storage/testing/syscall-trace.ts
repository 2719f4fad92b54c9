/**
 * Test support: runs a process under strace and reads back, in order, what it wrote where and when it flushed.
 *
 * Why: a SIGKILL leaves the page cache intact, so a crash test only proves "committed before acknowledged". What a
 * power cut needs is "flushed before acknowledged", and only the system calls show it. strace prints every traced
 * call of every thread of the process tree in the order it saw them; a call another thread interrupts is split into
 * `<unfinished ...>` and `<... resumed>` lines. An event that caused another (a flush returning, then the thread
 * that waited for it writing an acknowledgement) is printed before it, because strace prints a stop before it lets
 * the thread go on. Each flush is held `flushDelayUs` before it runs (strace's `inject=…:delay_enter`), so that an
 * acknowledgement that does not wait for its flush is caught writing while the flush is still pending instead of
 * winning a microsecond race against a fast disk.
 *
 * Output format used (strace 5.3+, `-f -qq -xx -y -s N`): `PID NAME(FD<PATH>, "\xNN…", …) = RET`, every byte of
 * every string hex-escaped, every fd followed by what it is (a path, `pipe:[inode]`, `socket:[inode]`).
 */
import { spawnSync } from 'node:child_process';

/** The calls traced: every way a Node process or LMDB writes bytes, and every way they flush them. */
const WRITES = ['write', 'writev', 'pwrite64', 'pwritev', 'pwritev2', 'sendto', 'sendmsg'] as const;
const FLUSHES = ['fdatasync', 'fsync', 'msync', 'sync_file_range'] as const;

/** Bytes written (at the line where the call entered; `offset` for pwrite64). */
export interface WriteEvent { kind: 'write'; line: number; pid: number; call: string; fd: number; target: string; bytes: Buffer; offset?: number }
/** A flush, from the line where it entered to the line where it returned (Infinity: it never did). */
export interface FlushEvent { kind: 'flush'; line: number; endLine: number; pid: number; call: string; fd: number; target: string }
export type TraceEvent = WriteEvent | FlushEvent;

/** Why strace cannot be used here, or undefined when it can (installed and allowed to ptrace). */
export function straceUnavailable(): string | undefined {
  const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=fdatasync', '-o', '/dev/null', 'true'], { encoding: 'utf8' });
  if (r.error) return `strace is not installed (${(r.error as NodeJS.ErrnoException).code}); apt-get install strace`;
  if (r.status !== 0) return `strace cannot trace here: ${r.stderr.trim()}`;
  return undefined;
}

/**
 * The command line that runs `argv` under strace, writing the trace to `outFile`. Each flush (fdatasync, fsync,
 * msync, sync_file_range) is delayed by `flushDelayUs` before it runs.
 */
export function traceArgv(argv: string[], outFile: string, options: { flushDelayUs?: number; maxString?: number } = {}): string[] {
  const delay = options.flushDelayUs ?? 20_000;
  return [
    'strace', '-f', '-qq', '-xx', '-y', '-s', String(options.maxString ?? 1 << 22), '--seccomp-bpf',
    '-e', `trace=${[...WRITES, ...FLUSHES].join(',')}`,
    ...(delay > 0 ? ['-e', `inject=${FLUSHES.join(',')}:delay_enter=${delay}`] : []),
    '-o', outFile,
    '--', ...argv,
  ];
}

const LINE = /^(\d+) +(?:(<\.\.\. (\w+) resumed>)|(\w+)\((\d+)<((?:\\x[0-9a-f]{2})*)(?:<[^>]*>)?>)(.*)$/;

/** Parses strace output written with traceArgv's options into write and flush events, in order. */
export function parseTrace(text: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  // A flush split by other threads' lines ends at its `resumed` line, on the same pid.
  const pendingFlush = new Map<number, FlushEvent>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = LINE.exec(lines[i]!);
    if (!m) continue;
    const pid = Number(m[1]);
    if (m[2]) {
      const p = pendingFlush.get(pid);
      if (p && p.call === m[3]) {
        pendingFlush.delete(pid);
        p.endLine = i + 1;
      }
      continue;
    }
    const call = m[4]!;
    const fd = Number(m[5]);
    const target = unhex(m[6]!).toString('latin1');
    const rest = m[7]!;
    if ((FLUSHES as readonly string[]).includes(call)) {
      const unfinished = rest.includes('<unfinished ...>');
      const flush: FlushEvent = { kind: 'flush', line: i + 1, endLine: unfinished ? Infinity : i + 1, pid, call, fd, target };
      events.push(flush);
      if (unfinished) pendingFlush.set(pid, flush);
      continue;
    }
    if (!(WRITES as readonly string[]).includes(call)) continue;
    // Written bytes are printed at entry, whole (-s is larger than any write the tests make) or cut with `"...`.
    if (/"\.\.\./.test(rest)) throw new Error(`trace line ${i + 1}: a ${call} longer than strace's -s was cut; raise maxString`);
    const strings = [...rest.matchAll(/"((?:\\x[0-9a-f]{2})*)"/g)].map((s) => unhex(s[1]!));
    const args = rest.replace(/"(?:\\x[0-9a-f]{2})*"/g, '""');
    const offset = call === 'pwrite64' ? Number(/, (\d+)(?:\)| <unfinished)/.exec(args)?.[1]) : undefined;
    events.push({ kind: 'write', line: i + 1, pid, call, fd, target, bytes: Buffer.concat(strings), offset });
  }
  return events;
}

function unhex(s: string): Buffer {
  return Buffer.from(s.replace(/\\x/g, ''), 'hex');
}
