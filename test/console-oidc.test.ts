/**
 * The CS console's sign-in through OIDC, driven over HTTP as a browser would (redirects followed by hand, cookies
 * kept) against the console's real routes, the audit hook and PostgreSQL, and the test issuer's /authorize and /token
 * endpoints: a cs person lands on the queue and is audited by subject; a wrong state, a replayed code, a spoiled ID
 * token and a person without a console role are refused, each with its audit row.
 */
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyThresholds } from '../src/activities/deps.ts';
import { loadConfig } from '../src/config.ts';
import { installAuditTrail } from '../src/starters/http/auth.ts';
import { type ConsoleSettings, registerConsoleRoutes } from '../src/starters/http/console/routes.ts';
import { createConsoleSigner } from '../src/starters/http/console/session.ts';
import type { HttpDeps } from '../src/starters/http/deps.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import {
  CONSOLE_CLIENT,
  PEOPLE,
  startTestOidcIssuer,
  type TestOidcIssuer,
  type TestPerson,
} from './support/oidc-issuer.ts';

let issuer: TestOidcIssuer;
let db: TestDatabase;
let app: FastifyInstance;
let appUrl: string;
let consoleSettings: ConsoleSettings;
const SESSION_SECRET = 'a-console-session-secret-for-oidc-tests-0123456789';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  [issuer, db] = await Promise.all([startTestOidcIssuer(), createTestDatabase()]);
  appUrl = `http://127.0.0.1:${await freePort()}`;
  // The endpoints come from the issuer's discovery document, as an operator would read them.
  const discovery = (await (await fetch(`${issuer.baseUrl}/.well-known/openid-configuration`)).json()) as Record<
    string,
    string
  >;
  const config = loadConfig({
    ...issuer.settings,
    KYC_OIDC_CLIENT_ID: CONSOLE_CLIENT.id,
    KYC_OIDC_CLIENT_SECRET: CONSOLE_CLIENT.secret,
    KYC_OIDC_AUTHORIZATION_URL: discovery.authorization_endpoint,
    KYC_OIDC_TOKEN_URL: discovery.token_endpoint,
    KYC_CS_BASE_URL: appUrl,
    KYC_CONSOLE_SESSION_SECRET: SESSION_SECRET,
  });
  app = Fastify();
  installAuditTrail(app, db.sql);
  // The queue page and the sign-in read only the database; no case page is opened here.
  consoleSettings = {
    sessionSecret: config.consoleSessionSecret,
    secureCookies: false,
    reviewSlaMs: config.KYC_CS_REMINDER_AFTER,
    thresholds: policyThresholds(config),
    temporalUi: { url: config.KYC_TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
    localSignIn: config.localAccounts,
    oidc: config.oidc && config.consoleOidcClient && { client: config.consoleOidcClient, provider: config.oidc },
  };
  await registerConsoleRoutes(app, { sql: db.sql } as HttpDeps, consoleSettings);
  await app.listen({ host: '127.0.0.1', port: Number(new URL(appUrl).port) });
});
afterAll(async () => {
  await app?.close();
  await Promise.all([issuer?.close(), db?.close()]);
});

/** A browser's cookies for the app (paths ignored: every cookie is the console's). */
class Browser {
  readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: url.startsWith(appUrl)
        ? { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
        : {},
    });
    if (url.startsWith(appUrl)) {
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const name = pair.slice(0, pair.indexOf('='));
        const value = pair.slice(pair.indexOf('=') + 1);
        if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    return response;
  }
}

const location = (response: Response) => response.headers.get('location') ?? '';

/**
 * Starts a sign-in from the sign-in page and approves it at the issuer as `person`: the callback URL the issuer
 * sends the browser back to, not yet followed.
 */
async function toCallback(browser: Browser, person: TestPerson, next = '/console'): Promise<string> {
  const page = await browser.get(`${appUrl}/console/sign-in?next=${encodeURIComponent(next)}`);
  const start = /href="(\/console\/oidc\/start[^"]*)"/.exec(await page.text())?.[1]?.replaceAll('&amp;', '&');
  expect(start).toBeDefined();
  const out = await browser.get(`${appUrl}${start}`);
  expect(out.status).toBe(303);
  const authorize = new URL(location(out));
  authorize.searchParams.set('login_hint', person.subject);
  const back = await browser.get(authorize.toString());
  expect(back.status).toBe(302);
  return location(back);
}

async function auditRows(subject: string) {
  return db.sql<{ action: string; status: number; actorVia: string; actorRoles: string[]; detail: unknown }[]>`
    select action, status, actor_via as "actorVia", actor_roles as "actorRoles", detail from audit_events where actor_subject = ${subject} order by id`;
}

describe('console sign-in with OIDC', () => {
  it('offers the organisation first, and sends the browser to the provider with PKCE, state and nonce', async () => {
    const browser = new Browser();
    const page = await (await browser.get(`${appUrl}/console/sign-in`)).text();
    expect(page).toContain('Sign in with your organisation');
    const out = await browser.get(`${appUrl}/console/oidc/start?next=%2Fconsole`);
    const authorize = new URL(location(out));
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${issuer.baseUrl}/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: CONSOLE_CLIENT.id,
      redirect_uri: `${appUrl}/console/oidc/callback`,
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[\w-]{43}$/),
      nonce: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
    });
    const flowCookie = out.headers.getSetCookie().find((line) => line.startsWith('kyc_console_oidc='));
    expect(flowCookie).toMatch(/HttpOnly/);
    expect(flowCookie).toMatch(/SameSite=Lax/);
    expect(flowCookie).toMatch(/Path=\/console\/oidc/);
    expect(flowCookie).toMatch(/Max-Age=600/);
  });

  it('signs a cs person in: the queue opens, and the audit trail names them by subject', async () => {
    const browser = new Browser();
    const before = await browser.get(`${appUrl}/console`);
    expect([before.status, location(before)]).toEqual([303, '/console/sign-in?next=%2Fconsole']);

    const callback = await browser.get(await toCallback(browser, PEOPLE.csErin));
    expect(callback.status).toBe(200);
    expect(await callback.text()).toContain('<meta http-equiv="refresh" content="0;url=/console">');
    expect(browser.cookies.has('kyc_console_oidc')).toBe(false);
    const session = callback.headers.getSetCookie().find((line) => line.startsWith('kyc_console_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);

    const queue = await browser.get(`${appUrl}/console`);
    expect(queue.status).toBe(200);
    const body = await queue.text();
    expect(body).toContain('Pending reviews');
    expect(body).toContain('Erin Case (CS) (cs)');

    const rows = await auditRows(PEOPLE.csErin.subject);
    expect(rows.map((row) => [row.action, row.status, row.actorVia, row.actorRoles, row.detail])).toEqual([
      ['GET /console/oidc/callback', 200, 'oidc', ['cs'], { signedIn: 'console-oidc' }],
      ['GET /console', 200, 'oidc', ['cs'], null],
    ]);
  });

  it('returns to the page first asked for, and never to another site', async () => {
    const browser = new Browser();
    const back = await browser.get(await toCallback(browser, PEOPLE.csLead, '/console/cases/7'));
    expect(await back.text()).toContain('content="0;url=/console/cases/7"');
    const elsewhere = await browser.get(await toCallback(browser, PEOPLE.csLead, 'https://evil.example/console'));
    expect(await elsewhere.text()).toContain('content="0;url=/console"');
  });

  async function refusedAs(subject: string, code: string, status: number, response: Response) {
    expect(response.status).toBe(status);
    expect(await response.text()).toContain('Not signed in');
    expect(response.headers.getSetCookie().some((line) => line.startsWith('kyc_console_session='))).toBe(false);
    const rows = await auditRows(subject);
    expect(rows.at(-1)).toMatchObject({
      action: 'GET /console/oidc/callback',
      status,
      detail: { signInRefused: code },
    });
  }

  it('refuses a callback whose state is not this browser’s', async () => {
    const browser = new Browser();
    const callback = new URL(await toCallback(browser, PEOPLE.csErin));
    callback.searchParams.set('state', 'a-state-from-another-sign-in-000000000000000');
    await refusedAs('(unverified)', 'STATE_MISMATCH', 401, await browser.get(callback.toString()));
  });

  it('refuses a callback without a sign-in in progress', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, PEOPLE.csErin);
    browser.cookies.delete('kyc_console_oidc');
    await refusedAs('(unverified)', 'NO_SIGN_IN_IN_PROGRESS', 401, await browser.get(callback));
  });

  it('refuses a replayed code, even with the flow cookie it came with', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, PEOPLE.csFrank);
    const flow = browser.cookies.get('kyc_console_oidc') as string;
    expect((await browser.get(callback)).status).toBe(200);
    browser.cookies.set('kyc_console_oidc', flow);
    browser.cookies.delete('kyc_console_session');
    await refusedAs('(unverified)', 'CODE_REFUSED', 401, await browser.get(callback));
  });

  it.each([
    ['signed by a key the issuer never published', 'signature' as const],
    ['carrying another sign-in’s nonce', 'nonce' as const],
    ['issued to several clients without naming this one as its azp', 'shared-audience' as const],
  ])('refuses an ID token %s', async (_case, spoiler) => {
    const browser = new Browser();
    const callback = await toCallback(browser, PEOPLE.csErin);
    issuer.spoilNextIdToken(spoiler);
    await refusedAs('(unverified)', 'ID_TOKEN_REFUSED', 401, await browser.get(callback));
  });

  it('refuses a person without a console role, and audits them by subject', async () => {
    const browser = new Browser();
    const callback = await toCallback(browser, PEOPLE.staffNed);
    await refusedAs(PEOPLE.staffNed.subject, 'NO_CONSOLE_ROLE', 403, await browser.get(callback));
    expect((await browser.get(`${appUrl}/console`)).status).toBe(303);
  });
});

describe('the console where local accounts are not read (production)', () => {
  it('offers only the organisation, refuses the local form, and takes no local-account session', async () => {
    const production = Fastify();
    await registerConsoleRoutes(production, { sql: db.sql } as HttpDeps, { ...consoleSettings, localSignIn: false });
    const page = await production.inject({ method: 'GET', url: '/console/sign-in' });
    expect(page.body).toContain('Sign in with your organisation');
    expect(page.body).not.toContain('name="password"');
    const form = await production.inject({
      method: 'POST',
      url: '/console/sign-in',
      payload: { username: 'erin', password: 'anything-at-all' },
    });
    expect(form.statusCode).toBe(404);
    const localSession = createConsoleSigner(SESSION_SECRET).newSession('erin');
    const queue = await production.inject({
      method: 'GET',
      url: '/console',
      cookies: { kyc_console_session: localSession },
    });
    expect([queue.statusCode, queue.headers.location]).toEqual([303, '/console/sign-in?next=%2Fconsole']);
    await production.close();
  });
});
