/** `npm run db:migrate`: migrates the database named by DATABASE_URL and refreshes db/schema.sql. */
import { loadConfig } from '../src/config.ts';
import { migrate } from '../src/runtime/migrate.ts';

const config = loadConfig();
const output = await migrate(config.DATABASE_URL, { dumpSchema: process.env.DBMATE_NO_DUMP_SCHEMA !== 'true' });
process.stdout.write(output);
