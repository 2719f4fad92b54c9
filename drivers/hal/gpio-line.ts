/** One GPIO line, already configured as input or output by whoever opened it. */
export type GpioLevel = 0 | 1;
export type GpioEdge = 'rising' | 'falling' | 'both';

export interface GpioLine {
  read(): Promise<GpioLevel>;
  write(level: GpioLevel): Promise<void>;
  /** Resolve on the next edge of that kind (inputs only); rejects with the signal's reason on abort. */
  waitEdge(edge: GpioEdge, opts?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}
