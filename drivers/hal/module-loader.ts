/**
 * Dynamic import of optional native packages, so CI and laptops never load them (CONTRIBUTING.md habit 7), and a
 * failure that names the native module at fault (the package itself, or one it loads, such as onoff's epoll) and
 * whether it is absent or did not build, with the fix for each.
 */
import { NativeModuleBuildError, NativeModuleMissingError } from './errors.js';

export type ModuleLoader = (name: string) => Promise<unknown>;

export const defaultLoader: ModuleLoader = (name) => import(name);

export async function loadOptional<T>(name: string, purpose: string, loader: ModuleLoader = defaultLoader): Promise<T> {
  try {
    const mod = (await loader(name)) as { default?: T } & T;
    return (mod.default ?? mod) as T;
  } catch (err) {
    throw classifyLoadFailure(name, purpose, err);
  }
}

/** Which module failed and how: "Cannot find module/package 'x'" is an absent package; anything else (the
 * `bindings` package's "Could not locate the bindings file. Tried: …/node_modules/epoll/build/…", dlopen errors, an
 * ABI mismatch) is a native part that did not build, named by the last node_modules/<pkg>/ in the message. */
export function classifyLoadFailure(name: string, purpose: string, err: unknown): NativeModuleMissingError | NativeModuleBuildError {
  const message = String((err as Error)?.message ?? err);
  const code = (err as NodeJS.ErrnoException)?.code;
  const missing = /Cannot find (?:module|package) '([^']+)'/.exec(message);
  // A bare specifier is an absent package; a missing path (…/build/Release/x.node) is a build that did not happen.
  if (missing && !/^[./]/.test(missing[1]!) && (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || code === undefined)) {
    const pkg = packageOf(missing[1]!);
    return new NativeModuleMissingError(pkg, purpose, err, pkg === name ? undefined : name);
  }
  const paths = [...message.matchAll(/node_modules\/((?:@[^/\s]+\/)?[^/\s'"]+)\//g)].map((m) => m[1]!);
  const culprit = paths.at(-1) ?? name;
  return new NativeModuleBuildError(culprit, purpose, err, culprit === name ? undefined : name);
}

/** 'spi-device/build/Release/x.node' → 'spi-device', '@scope/pkg/sub' → '@scope/pkg'. */
function packageOf(spec: string): string {
  return spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
}
