import { DefaultLogger, Runtime } from '@temporalio/worker';
import { runtimeLog } from './runtime-log.ts';

// Every worker log entry is kept (the data-protection test searches them for PII); only warnings and errors print.
Runtime.install({
  logger: new DefaultLogger('DEBUG', (entry) => {
    runtimeLog.push(JSON.stringify({ level: entry.level, message: entry.message, meta: entry.meta }));
    if (entry.level === 'WARN' || entry.level === 'ERROR')
      console.error(`[${entry.level}] ${entry.message}`, entry.meta);
  }),
});
