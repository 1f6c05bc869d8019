/**
 * `npm run accounts -- …`: local accounts for `npm start` (people who sign in with a password), and service tokens.
 *
 *   npm run accounts -- add <username> --role cs [--role cs-lead] [--name "Erin Case"]   (password from stdin)
 *   npm run accounts -- list
 *   npm run accounts -- disable <username>
 *   npm run accounts -- service-token <name> [--role intake]   (prints the token once, and its KYC_SERVICE_TOKENS entry)
 *
 * The password is read from standard input (one line), so it never appears in shell history or `ps`; at a terminal
 * it is asked for without echo.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createSql } from '../db/pool.ts';
import { isRole, type Role, SERVICE_ROLES } from '../identity/identity.ts';
import { addLocalAccount, disableLocalAccount, listLocalAccounts } from '../identity/local-accounts.ts';
import { newServiceToken } from '../identity/service-tokens.ts';
import { localCommandDatabaseUrl } from '../runtime/local-state.ts';

const USAGE = `usage:
  npm run accounts -- add <username> --role <cs|cs-lead|ops|intake> [--role …] [--name "Display Name"]
  npm run accounts -- list
  npm run accounts -- disable <username>
  npm run accounts -- service-token <name> [--role intake]`;

async function readPassword(): Promise<string> {
  const terminal = process.stdin.isTTY;
  const lines = createInterface({ input: process.stdin, output: process.stderr, terminal });
  if (terminal) {
    process.stderr.write('Password: ');
    // Nothing typed is echoed.
    (lines as unknown as { _writeToOutput(text: string): void })._writeToOutput = () => {};
  }
  for await (const line of lines) {
    lines.close();
    if (terminal) process.stderr.write('\n');
    return line;
  }
  return '';
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string', multiple: true }, name: { type: 'string' } },
});
const [command, subject] = positionals;
const roles = (values.role ?? []).map((role) => (isRole(role) ? role : fail(`unknown role ${role}`))) as Role[];

if (command === 'service-token') {
  if (!subject || !/^[A-Za-z0-9._-]{1,64}$/.test(subject)) fail('service-token needs a name (letters, digits, . _ -)');
  const role = roles[0] ?? 'intake';
  if (!SERVICE_ROLES.includes(role)) fail(`services hold only ${SERVICE_ROLES.join(', ')}; people sign in`);
  const { token, entry } = newServiceToken(subject, role);
  process.stdout.write(
    `token (give it to ${subject}; it is not stored anywhere):\n  ${token}\n` +
      `add to KYC_SERVICE_TOKENS (comma-separated):\n  ${entry}\n`,
  );
  process.exit(0);
}

const config = loadConfig();
if (config.production)
  process.stderr.write('note: local accounts are used by npm start only; production signs in with OIDC\n');
// `npm start`'s accounts live in the data folder's own database, as `npm run cs` finds it; DATABASE_URL wins.
let databaseUrl: string;
try {
  databaseUrl = localCommandDatabaseUrl(process.env, config);
} catch (error) {
  fail((error as Error).message);
}
const sql = createSql(databaseUrl, { max: 1 });
try {
  if (command === 'add') {
    if (!subject || !/^[a-z0-9._-]{2,64}$/.test(subject)) fail('add needs a username (2-64 of a-z 0-9 . _ -)');
    if (roles.length === 0) fail('add needs at least one --role');
    await addLocalAccount(sql, {
      username: subject,
      displayName: values.name?.trim() || subject,
      password: await readPassword(),
      roles,
    });
    process.stdout.write(`account ${subject} (${roles.join(', ')}) saved\n`);
  } else if (command === 'list') {
    for (const account of await listLocalAccounts(sql)) {
      process.stdout.write(
        `${account.username}\t${account.displayName}\t${account.roles.join(',')}${account.disabled ? '\tdisabled' : ''}\n`,
      );
    }
  } else if (command === 'disable') {
    if (!subject) fail('disable needs a username');
    if (!(await disableLocalAccount(sql, subject))) fail(`no account ${subject}`);
    process.stdout.write(`account ${subject} disabled\n`);
  } else {
    fail(command ? `unknown command ${command}` : 'no command');
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await sql.end({ timeout: 5 });
}
