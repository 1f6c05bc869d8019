/** A production entry point's configuration, or an exit naming every missing setting (before anything connects). */
import { type Config, ConfigError, type EntryPoint, loadConfig } from '../config.ts';

export function configOrExit(entryPoint: EntryPoint): Config {
  try {
    return loadConfig(process.env, entryPoint);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
