/**
 * "Did you mean" for unknown keys, environment variables, commands and flags: the closest known name by
 * Damerau–Levenshtein distance (adjacent transpositions count as one edit, the usual typing slip), offered only
 * when it is close enough to be a plausible typo rather than a different word.
 */

/** Optimal-string-alignment distance between `a` and `b`, compared case-insensitively. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Uint16Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}

/**
 * The known name closest to `input`, or undefined when none is within a third of the input's length (at least 1,
 * at most 3 edits). A case-only difference always matches.
 */
export function closest(input: string, known: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const dist = editDistance(input, name);
    if (dist < bestDistance) {
      best = name;
      bestDistance = dist;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `; did you mean "x"?` or the empty string, for appending to an error message. */
export function didYouMean(input: string, known: Iterable<string>): string {
  const hit = closest(input, known);
  return hit === undefined ? '' : `; did you mean "${hit}"?`;
}
