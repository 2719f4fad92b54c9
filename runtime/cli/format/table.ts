/** Plain-text tables for terminal output: left-aligned columns, two spaces apart, no trailing spaces. */

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** Cuts `s` to `max` characters with an ellipsis, and folds newlines so one row stays one line. */
export function cell(s: string, max = 60): string {
  const one = s.replace(/\s*\r?\n\s*/g, ' ⏎ ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
