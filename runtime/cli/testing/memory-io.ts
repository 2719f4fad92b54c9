/** Test support: a CliIo that records output, feeds stdin, and lets the test deliver signals and observe exit(). */
import type { CliIo } from '../io.js';

export class ExitCalled extends Error {
  override name = 'ExitCalled';
  constructor(readonly code: number) {
    super(`exit(${code})`);
  }
}

export interface MemoryIo extends CliIo {
  out(): string;
  err(): string;
  /** Delivers a signal to the subscribed listeners. */
  signal(name: 'SIGINT' | 'SIGTERM'): void;
  listeners(): number;
  exits: number[];
}

export function memoryIo(init: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string; tty?: boolean } = {}): MemoryIo {
  let out = '';
  let err = '';
  const listeners = new Set<(s: 'SIGINT' | 'SIGTERM') => void>();
  const exits: number[] = [];
  return {
    stdout: { write: (s: string) => (out += s), isTTY: init.tty ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: init.tty ?? false },
    env: init.env ?? {},
    cwd: init.cwd ?? process.cwd(),
    readStdin: async () => init.stdin ?? '',
    onSignal(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    exit(code) {
      exits.push(code);
      throw new ExitCalled(code);
    },
    out: () => out,
    err: () => err,
    signal(name) {
      for (const l of [...listeners]) l(name);
    },
    listeners: () => listeners.size,
    exits,
  };
}
