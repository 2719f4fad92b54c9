/**
 * A tiny validator kit for the config schema. Each check takes a value and its path, pushes every problem it finds
 * into `issues` (it never throws and never stops at the first problem) and returns the normalized value or INVALID.
 * Object checks return only the keys present, so a layer (file, environment, flags) validates on its own and the
 * layers merge afterwards; unknown keys are issues with a "did you mean".
 */
import { describe, parseByteSize } from './byte-size.js';
import type { ConfigIssue } from './errors.js';
import { isIP } from 'node:net';
import { checkHost, parseHostPort } from './host-port.js';
import { didYouMean } from './suggest.js';

export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export type Check = (value: unknown, path: string, issues: ConfigIssue[]) => unknown;

/** What a mapping or list check holds: its keys' checks, or its items' check. */
export type CheckShape = { keys: Record<string, Check> } | { item: Check };

const shapes = new WeakMap<Check, CheckShape>();

/** The shape of a check made by object(), list() or hostPort(); undefined for a value check (a leaf). */
export function shapeOf(check: Check): CheckShape | undefined {
  return shapes.get(check);
}

/** Every leaf key of a schema as a path: `ip.listen.host`, `lora[].pins.busy` (a list's items as `[]`). */
export function keyPaths(check: Check, prefix = ''): string[] {
  const shape = shapeOf(check);
  if (!shape) return prefix ? [prefix] : [];
  if ('item' in shape) return keyPaths(shape.item, `${prefix}[]`);
  return Object.entries(shape.keys).flatMap(([key, c]) => keyPaths(c, prefix ? `${prefix}.${key}` : key));
}

export function withShape(check: Check, shape: CheckShape): Check {
  shapes.set(check, shape);
  return check;
}

export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A string. No config string may hold a NUL byte (paths, hosts and URLs would fail later, far from the config).
 * `secret`: the value never appears in a message (tokens, passwords: `lattice config` output lands in logs).
 */
export function str(opts: { min?: number; max?: number; pattern?: RegExp; hint?: string; secret?: boolean } = {}): Check {
  const min = opts.min ?? 1;
  const max = opts.max ?? 4096;
  return (value, path, issues) => {
    if (typeof value !== 'string') return fail(issues, path, `must be a string, got ${opts.secret ? kindOf(value) : describe(value)}`);
    if (value.includes('\0')) return fail(issues, path, 'must not contain a NUL byte');
    if (value.length < min) return fail(issues, path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
    if (value.length > max) return fail(issues, path, `must be at most ${max} characters`);
    if (opts.pattern && !opts.pattern.test(value)) {
      const hint = opts.hint ?? `does not match ${opts.pattern}`;
      return fail(issues, path, opts.secret ? `${hint} (the value is not shown)` : `${JSON.stringify(value)} ${hint}`);
    }
    return value;
  };
}

/** What a value is, without the value. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** A hostname or an IP address; an IPv6 address may come in brackets (`[::1]`) and is kept without them. */
export function host(): Check {
  const s = str({ max: 255 });
  return (value, path, issues) => {
    const v = s(value, path, issues);
    if (v === INVALID) return INVALID;
    const bracketed = /^\[(.*)\]$/.exec(v as string);
    const h = bracketed && isIP(bracketed[1]!) === 6 ? bracketed[1]! : (v as string);
    const problem = checkHost(h);
    return problem ? fail(issues, path, problem) : h;
  };
}

export function num(opts: { min?: number; max?: number; integer?: boolean; unit?: string } = {}): Check {
  return (value, path, issues) => {
    let v = value;
    // YAML and environment strings such as "30000" are accepted where a number is expected.
    if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) v = Number(v);
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(issues, path, `must be a number${opts.unit ? ` (${opts.unit})` : ''}, got ${describe(value)}`);
    if (opts.integer && !Number.isInteger(v)) return fail(issues, path, `must be a whole number, got ${v}`);
    if (opts.min !== undefined && v < opts.min) return fail(issues, path, `must be ≥ ${opts.min}, got ${v}`);
    if (opts.max !== undefined && v > opts.max) return fail(issues, path, `must be ≤ ${opts.max}, got ${v}`);
    return v;
  };
}

export function int(opts: { min?: number; max?: number; unit?: string } = {}): Check {
  return num({ ...opts, integer: true });
}

export function bool(): Check {
  return (value, path, issues) => {
    if (typeof value === 'boolean') return value;
    return fail(issues, path, `must be true or false, got ${describe(value)}`);
  };
}

export function oneOf(values: readonly string[]): Check {
  return (value, path, issues) => {
    if (typeof value === 'string' && values.includes(value)) return value;
    const hint = typeof value === 'string' ? didYouMean(value, values) : '';
    return fail(issues, path, `must be one of ${values.join(', ')}, got ${describe(value)}${hint}`);
  };
}

export function byteSize(opts: { min?: number; why?: string } = {}): Check {
  return (value, path, issues) => {
    const r = parseByteSize(value);
    if (typeof r === 'string') return fail(issues, path, r);
    if (opts.min !== undefined && r < opts.min) return fail(issues, path, `must be at least ${opts.min} bytes${opts.why ? ` (${opts.why})` : ''}, got ${r}`);
    return r;
  };
}

/** `host:port`, `[v6]:port`, a bare port, or `{ host, port }`; returns `{ host?, port? }`. */
export function hostPort(opts: { requireHost?: boolean; defaultPort?: number } = {}): Check {
  const asObject = object({ host: host(), port: int({ min: 1, max: 65535 }) });
  return withShape((value, path, issues) => {
    let result: unknown;
    if (opts.defaultPort !== undefined && typeof value === 'string' && !value.includes(':') && !/^\s*\d+\s*$/.test(value)) {
      // A peer given as a bare hostname uses the default port.
      const bare = parseHostPort(`${value.trim()}:${opts.defaultPort}`);
      if (typeof bare === 'string') return fail(issues, path, bare);
      return bare;
    }
    if (typeof value === 'string' || typeof value === 'number') {
      const parsed = parseHostPort(String(value));
      if (typeof parsed === 'string') return fail(issues, path, parsed);
      result = parsed.host === undefined ? { port: parsed.port } : parsed;
    } else if (isPlainObject(value)) {
      result = asObject(value, path, issues);
    } else {
      return fail(issues, path, `must be host:port, got ${describe(value)}`);
    }
    if (result === INVALID) return INVALID;
    if (opts.requireHost && (result as { host?: string }).host === undefined) {
      return fail(issues, path, `needs a host, e.g. relay.example.org:${(result as { port?: number }).port ?? 9333}`);
    }
    return result;
  }, shapeOf(asObject)!);
}

/** A list of `item`s; `null` (an empty YAML key) counts as the empty list. Invalid items are dropped. */
export function list(item: Check, opts: { max?: number } = {}): Check {
  return withShape((value, path, issues) => {
    if (value === null) return [];
    if (!Array.isArray(value)) return fail(issues, path, `must be a list, got ${describe(value)}`);
    if (opts.max !== undefined && value.length > opts.max) fail(issues, path, `must have at most ${opts.max} entries, has ${value.length}`);
    const out: unknown[] = [];
    let bad = false;
    value.forEach((v, i) => {
      const r = item(v, child(path, i), issues);
      if (r === INVALID) bad = true;
      else out.push(r);
    });
    return bad ? INVALID : out;
  }, { item });
}

export interface ObjectOptions {
  /** Keys every value must have (list entries, which are never merged across layers). */
  required?: string[];
  /** Turns a non-mapping value into a mapping (`api: 127.0.0.1:8080`, `metrics: false`); undefined when it cannot. */
  shorthand?: (value: unknown, path: string, issues: ConfigIssue[]) => Record<string, unknown> | Invalid | undefined;
  /** Checks across keys, on the normalized (partial) object. */
  refine?: (value: Record<string, unknown>, path: string, issues: ConfigIssue[]) => void;
}

export function object(shape: Record<string, Check>, opts: ObjectOptions = {}): Check {
  const known = Object.keys(shape);
  return withShape((value, path, issues) => {
    let v = value;
    if (v === null) v = {};
    if (!isPlainObject(v) && opts.shorthand) {
      const s = opts.shorthand(v, path, issues);
      if (s === INVALID) return INVALID;
      if (s !== undefined) v = s;
    }
    if (!isPlainObject(v)) return fail(issues, path, `must be a mapping, got ${describe(value)}`);
    const out: Record<string, unknown> = {};
    let bad = false;
    for (const [key, raw] of Object.entries(v)) {
      const check = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (!check) {
        fail(issues, child(path, key), `unknown key${didYouMean(key, known)}${path ? '' : ` (known: ${known.join(', ')})`}`);
        bad = true;
        continue;
      }
      if (raw === undefined) continue;
      const r = check(raw, child(path, key), issues);
      if (r === INVALID) bad = true;
      else out[key] = r;
    }
    for (const key of opts.required ?? []) {
      if (!Object.hasOwn(v, key)) {
        fail(issues, child(path, key), 'is required');
        bad = true;
      }
    }
    if (bad) return INVALID;
    if (opts.refine) {
      const before = issues.length;
      opts.refine(out, path, issues);
      if (issues.length > before) return INVALID;
    }
    return out;
  }, { keys: shape });
}

export function fail(issues: ConfigIssue[], path: string, message: string): Invalid {
  issues.push({ path, message });
  return INVALID;
}
