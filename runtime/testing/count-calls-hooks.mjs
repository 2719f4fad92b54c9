// Node module hooks for tests (count-calls.ts registers them): every module whose URL ends with one of the given
// suffixes gets, appended to its source, a wrapper around the named functions that counts their calls in
// `globalThis.__countedCalls` (name -> calls). A function declaration's binding is mutable in its own module, and
// importers see the live binding, so every caller — the module itself included — goes through the wrapper.
let targets = {};

export async function initialize(data) {
  targets = data.targets;
}

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  const names = Object.entries(targets).find(([suffix]) => url.endsWith(suffix))?.[1];
  if (!names || loaded.source === undefined || loaded.source === null) return loaded;
  let source = typeof loaded.source === 'string' ? loaded.source : Buffer.from(loaded.source).toString('utf8');
  for (const name of names) {
    const key = JSON.stringify(name);
    source += `\n;{ const original = ${name}; ${name} = function (...args) { const c = globalThis.__countedCalls; if (c) c[${key}] = (c[${key}] ?? 0) + 1; return original.apply(this, args); }; }\n`;
  }
  return { ...loaded, source };
}
