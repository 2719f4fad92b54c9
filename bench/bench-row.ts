/** One benchmark figure. `ratio` = value / baseline (both measured in the same run), `goal` says what it must meet. */
export interface BenchRow {
  group?: string;
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineName?: string;
  ratio?: number;
  goal?: string;
  /** Whether the goal was met, when the row has one. */
  pass?: boolean;
  note?: string;
}

export type BenchFn = (options?: { quick?: boolean; args?: readonly string[] }) => Promise<BenchRow[]>;
