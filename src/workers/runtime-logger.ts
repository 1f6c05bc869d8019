/**
 * Sends the Temporal runtime's own log (worker lifecycle, workflow `log.*` calls, SDK and SDK Core warnings) through the service's
 * pino logger, so its redaction applies there too and everything lands in one stream.
 */
import { DefaultLogger, type LogLevel, Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Logger } from '../logger.ts';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** `options`: the runtime's other settings, e.g. `npm start` takes `shutdownSignals` over to order its own shutdown. */
export function installRuntimeLogger(logger: Logger, options: Omit<RuntimeOptions, 'logger'> = {}): void {
  const temporalLogger = logger.child({ component: 'temporal' });
  Runtime.install({
    // SDK Core's own warnings come through the same logger instead of going straight to stderr in another format.
    telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } },
    ...options,
    logger: new DefaultLogger('INFO', ({ level, message, meta }) =>
      temporalLogger[PINO_LEVEL[level]](meta ?? {}, message),
    ),
  });
}

/**
 * For bundling the workflow code: webpack's multi-line build report comes at INFO, and says nothing an operator acts
 * on, so it goes to debug; its warnings and errors keep their level.
 */
export function bundlerLogger(logger: Logger): DefaultLogger {
  const bundler = logger.child({ component: 'workflow-bundler' });
  return new DefaultLogger('TRACE', ({ level, message, meta }) =>
    bundler[level === 'WARN' || level === 'ERROR' ? PINO_LEVEL[level] : 'debug'](meta ?? {}, message),
  );
}
