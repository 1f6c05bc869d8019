/**
 * The identity layer: OIDC access tokens verified against a JWKS that this test serves itself, service tokens held
 * as digests, local accounts made with the accounts CLI and signed in with HTTP Basic, and an audit table that the
 * database itself keeps append-only.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenDigest } from '../src/config.ts';
import { AuthenticationError, audit, createAuthenticator } from '../src/identity/index.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import {
  mintToken,
  PEOPLE,
  personClaims,
  personToken,
  startTestOidcIssuer,
  strangerKey,
  TEST_OIDC_AUDIENCE,
  TEST_OIDC_ISSUER,
  type TestOidcIssuer,
} from './support/oidc-issuer.ts';

let issuer: TestOidcIssuer;
let db: TestDatabase;
let authenticator: ReturnType<typeof createAuthenticator>;
const SERVICE_TOKEN = 'kyc_product-backend-token-0123456789abcdef';

beforeAll(async () => {
  [issuer, db] = await Promise.all([startTestOidcIssuer(), createTestDatabase()]);
  authenticator = createAuthenticator({
    serviceTokens: [{ name: 'product-backend', role: 'intake', digest: tokenDigest(SERVICE_TOKEN) }],
    oidc: { issuer: TEST_OIDC_ISSUER, audience: TEST_OIDC_AUDIENCE, jwksUrl: issuer.jwksUrl, rolesClaim: 'roles' },
    localAccounts: { sql: db.sql },
  });
});
afterAll(async () => {
  await Promise.all([issuer?.close(), db?.close()]);
});

const bearer = (token: string) => authenticator.authenticate({ authorization: `Bearer ${token}` });
const refusal = (attempt: Promise<unknown>) =>
  attempt.then(
    () => 'accepted',
    (error: unknown) => (error instanceof AuthenticationError ? error.message : `crashed: ${String(error)}`),
  );

describe('OIDC access tokens', () => {
  it('takes a valid token: subject, name and roles from its claims', async () => {
    expect(await bearer(personToken(PEOPLE.csLead))).toEqual({
      subject: 'cs-lead-lena',
      displayName: 'Lena Ward (CS lead)',
      roles: ['cs-lead'],
      via: 'oidc',
    });
    expect(issuer.jwksFetches()).toBeGreaterThan(0);
  });

  const past = Math.floor(Date.now() / 1000) - 3600;
  it.each([
    ['expired', () => personToken(PEOPLE.csErin, { iat: past - 600, exp: past }), 'the token has expired'],
    ['for another audience', () => personToken(PEOPLE.csErin, { aud: 'another-api' }), "the token's aud claim"],
    ['from another issuer', () => personToken(PEOPLE.csErin, { iss: 'https://evil.example' }), "the token's iss claim"],
    ['unsigned (alg: none)', () => mintToken(personClaims(PEOPLE.csErin), { key: null }), 'not accepted'],
    [
      'signed by a key the issuer never published, under its key id',
      () => mintToken(personClaims(PEOPLE.csErin), { key: strangerKey }),
      'signature does not verify',
    ],
    [
      'signed by an unknown key id',
      () => mintToken(personClaims(PEOPLE.csErin), { key: strangerKey, kid: 'stranger-1' }),
      "signing key is not the issuer's",
    ],
    ['without a subject', () => personToken(PEOPLE.csErin, { sub: undefined }), 'sub'],
    ['with its last character changed', () => `${personToken(PEOPLE.csErin).slice(0, -1)}X`, 'signature'],
  ])('refuses a token %s', async (_, token, why) => {
    expect(await refusal(bearer(token()))).toContain(why);
  });

  it('keeps only the roles it knows, from a nested claim when configured', async () => {
    const nested = createAuthenticator({
      serviceTokens: [],
      oidc: {
        issuer: TEST_OIDC_ISSUER,
        audience: TEST_OIDC_AUDIENCE,
        jwksUrl: issuer.jwksUrl,
        rolesClaim: 'realm_access.roles',
      },
    });
    const token = personToken(PEOPLE.opsOlly, { roles: undefined, realm_access: { roles: ['ops', 'admin', 'cs'] } });
    expect((await nested.authenticate({ authorization: `Bearer ${token}` })).roles).toEqual(['ops', 'cs']);
  });
});

describe('service tokens', () => {
  it('names the service, and refuses a near miss and a person’s scheme it does not run', async () => {
    expect(await bearer(SERVICE_TOKEN)).toEqual({
      subject: 'product-backend',
      displayName: 'product-backend',
      roles: ['intake'],
      via: 'service-token',
    });
    expect(await refusal(bearer(`${SERVICE_TOKEN.slice(0, -1)}x`))).toBe('unknown token');
    expect(await refusal(authenticator.authenticate({}))).toContain('sign in');
    expect(await refusal(authenticator.authenticate({ authorization: 'Digest abc' }))).toContain('unsupported');
  });
});

function accountsCli(args: string[], input: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['src/starters/accounts-cli.ts', ...args],
      { env: { PATH: process.env.PATH, DATABASE_URL: db.url } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    );
    child.stdin?.end(input);
  });
}

describe('local accounts (npm start)', () => {
  const basic = (user: string, password: string) =>
    authenticator.authenticate({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

  it('are made with the accounts CLI, hashed with scrypt, and sign in with their password only', async () => {
    const made = await accountsCli(['add', 'erin', '--role', 'cs', '--name', 'Erin Case'], 'correct horse battery\n');
    expect(made).toEqual({ code: 0, output: 'account erin (cs) saved\n' });
    const [row] = await db.sql<{ password_hash: string }[]>`select password_hash from local_accounts`;
    expect(row?.password_hash).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(row?.password_hash).not.toContain('correct horse');

    expect(await basic('erin', 'correct horse battery')).toEqual({
      subject: 'erin',
      displayName: 'Erin Case',
      roles: ['cs'],
      via: 'local-account',
    });
    expect(await refusal(basic('erin', 'correct horse batterY'))).toBe('unknown user name or wrong password');
    expect(await refusal(basic('nobody', 'correct horse battery'))).toBe('unknown user name or wrong password');

    expect((await accountsCli(['disable', 'erin'], '')).code).toBe(0);
    expect(await refusal(basic('erin', 'correct horse battery'))).toBe('unknown user name or wrong password');
  });

  it('refuse a short password, an unknown role, and a service token for a person', async () => {
    expect(await accountsCli(['add', 'frank', '--role', 'cs'], 'short\n')).toMatchObject({
      code: 1,
      output: expect.stringContaining('at least 12 characters'),
    });
    expect((await accountsCli(['add', 'frank', '--role', 'admin'], 'long enough password\n')).code).toBe(2);
    expect((await accountsCli(['service-token', 'ui', '--role', 'ops'], '')).output).toContain('people sign in');
    const made = await accountsCli(['service-token', 'product-backend'], '');
    const [, token, entry] = /\n {2}(\S+)\n[^\n]*\n {2}(\S+)\n/.exec(made.output) ?? [];
    expect(entry).toBe(`product-backend:intake:${tokenDigest(token as string)}`);
  });
});

describe('audit_events', () => {
  it('takes new rows, and the database refuses to change or remove any', async () => {
    await audit(db.sql, {
      identity: { subject: 'cs-erin', displayName: 'Erin', roles: ['cs'], via: 'oidc' },
      action: 'POST /cs/cases/:userId/decision',
      userId: 7,
      status: 200,
      sourceAddress: '10.0.0.7',
      detail: { decision: 'PASS' },
    });
    const attempts = [
      db.sql`update audit_events set actor_subject = 'someone-else'`,
      db.sql`delete from audit_events`,
      db.sql`truncate audit_events`,
    ];
    for (const attempt of attempts) await expect(attempt).rejects.toThrow(/audit_events is append-only/);
    expect(await db.sql`select actor_subject, user_id, detail from audit_events`).toEqual([
      { actor_subject: 'cs-erin', user_id: 7, detail: { decision: 'PASS' } },
    ]);
  });
});
