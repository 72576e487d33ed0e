import type * as ConfigModule from '../../shared/config/index.js';

/**
 * The configuration loader for CLI commands, loaded on first use: the config module brings zod,
 * which `idsync --help` and `--version` do not need (BENCHMARKS.md, "CLI start-up"). `action()`
 * (services/cli/command-context.ts) loads it before a command's action runs; `loadConfig` is then the config
 * module's own, synchronous as everywhere else.
 */

let loaded: typeof ConfigModule | undefined;

/** Loads shared/config once; every command action awaits it first. */
export async function preloadConfig(): Promise<typeof ConfigModule> {
  loaded ??= await import('../../shared/config/index.js');
  return loaded;
}

/** shared/config's loadConfig; call it inside an `action()`. */
export const loadConfig: typeof ConfigModule.loadConfig = (sections, env) => {
  if (!loaded) throw new Error('shared/config not loaded yet: run the command through action()');
  return loaded.loadConfig(sections, env);
};
