/**
 * The image's entry point: `node src/production.ts <role>` with role `api`, `worker` or `migrate`. Each role takes
 * production settings only and refuses to start, naming every missing or unsafe setting, before it connects to
 * anything. (`npm start`, src/main.ts, is the laptop supervisor and is not used here.)
 */
import { configOrExit } from './starters/entry-config.ts';

const ROLES = ['api', 'worker', 'migrate'] as const;
const role = process.argv[2];

// The settings are checked before the role's modules load, so a refusal is quick and nothing has started.
if (role === 'api') await (await import('./starters/api.ts')).runApi(configOrExit('api'));
else if (role === 'worker') await (await import('./workers/main.ts')).runWorker(configOrExit('worker'));
else if (role === 'migrate') {
  const config = configOrExit('migrate');
  await (await import('./runtime/migrate.ts')).migrate(config.DATABASE_URL);
  process.stdout.write('migrations applied\n');
} else {
  process.stderr.write(`usage: node src/production.ts ${ROLES.join('|')} (got ${role ?? 'no role'})\n`);
  process.exit(2);
}
