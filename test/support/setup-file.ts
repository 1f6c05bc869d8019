import { DefaultLogger, Runtime } from '@temporalio/worker';
import { beforeEach } from 'vitest';
import { runtimeLog } from './runtime-log.ts';

/**
 * Every runtime log entry is kept (the data-protection test searches them for PII), SDK Core's own included: they are
 * forwarded here instead of being written straight to stderr. None is printed as it comes, since tests that inject
 * failures expect warnings (and the time-skipping server makes Core warn about a capability it lacks); a test that
 * fails prints the warnings and errors logged while it ran.
 */
Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) => {
    runtimeLog.push(JSON.stringify({ level: entry.level, message: entry.message, meta: entry.meta }));
  }),
  telemetryOptions: { logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } } },
});

beforeEach(({ onTestFailed }) => {
  const from = runtimeLog.length;
  onTestFailed(() => {
    for (const line of runtimeLog.slice(from)) {
      const entry = JSON.parse(line) as { level: string; message: string; meta?: unknown };
      if (entry.level === 'WARN' || entry.level === 'ERROR')
        console.error(`[${entry.level}] ${entry.message}`, entry.meta);
    }
  });
});
