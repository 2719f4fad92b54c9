/** Dynamic import of optional native packages, so CI and laptops never load them (CONTRIBUTING.md habit 7). */
import { NativeModuleMissingError } from './errors.js';

export type ModuleLoader = (name: string) => Promise<unknown>;

export const defaultLoader: ModuleLoader = (name) => import(name);

export async function loadOptional<T>(name: string, purpose: string, loader: ModuleLoader = defaultLoader): Promise<T> {
  try {
    const mod = (await loader(name)) as { default?: T } & T;
    return (mod.default ?? mod) as T;
  } catch (err) {
    throw new NativeModuleMissingError(name, purpose, err);
  }
}
