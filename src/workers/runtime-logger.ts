/**
 * Sends the Temporal runtime's own log (worker lifecycle, workflow `log.*` calls, SDK warnings) through the service's
 * pino logger, so its redaction applies there too and everything lands in one stream.
 */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import type { Logger } from '../logger.ts';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function installRuntimeLogger(logger: Logger): void {
  const temporalLogger = logger.child({ component: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger('INFO', ({ level, message, meta }) =>
      temporalLogger[PINO_LEVEL[level]](meta ?? {}, message),
    ),
  });
}
