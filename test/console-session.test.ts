/** The console's signed session cookie, CSRF token and image URLs: what each accepts and refuses. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerConsoleRoutes } from '../src/starters/http/console/routes.ts';
import { createConsoleSigner, IMAGE_URL_TTL_S, SESSION_TTL_S } from '../src/starters/http/console/session.ts';
import type { HttpDeps } from '../src/starters/http/deps.ts';

const signer = createConsoleSigner('a-console-session-secret-for-tests-0123456789');
const other = createConsoleSigner('another-console-session-secret-for-tests-987');
const now = 1_800_000_000;

describe('console session cookie', () => {
  const cookie = signer.newSession('erin', now);
  it.each([
    ['fresh', cookie, now, 'erin'],
    ['just before expiry', cookie, now + SESSION_TTL_S - 1, 'erin'],
    ['expired', cookie, now + SESSION_TTL_S, null],
    ['another secret', other.newSession('erin', now), now, null],
    ['subject swapped', cookie.replace(/^[^.]+/, Buffer.from('lead').toString('base64url')), now, null],
    ['expiry extended', cookie.replace(/\.\d+\./, `.${now + 10 * SESSION_TTL_S}.`), now, null],
    ['missing', undefined, now, null],
    ['garbage', 'a.b.c', now, null],
  ])('%s', (_case, presented, at, subject) => {
    expect(signer.sessionSubject(presented, at)).toBe(subject);
  });
});

describe('CSRF token', () => {
  const seed = signer.newCsrfSeed();
  it.each([
    ['its seed', seed, signer.csrfToken(seed), true],
    ['another seed', signer.newCsrfSeed(), signer.csrfToken(seed), false],
    ['no seed cookie', undefined, signer.csrfToken(seed), false],
    ['no token', seed, undefined, false],
    ['another secret', seed, other.csrfToken(seed), false],
  ])('%s', (_case, cookieSeed, token, valid) => {
    expect(signer.csrfValid(cookieSeed, token)).toBe(valid);
  });
});

describe('image URL', () => {
  const image = { userId: 7, kind: 'SELFIE' as const, uploadId: 3, viewer: 'erin' };
  const query = new URLSearchParams(signer.imageQuery(image, now));
  const exp = Number(query.get('exp'));
  const sig = query.get('sig') as string;
  it('names ids only and expires after IMAGE_URL_TTL_S', () => {
    expect([...query.keys()]).toEqual(['exp', 'sig']);
    expect(exp).toBe(now + IMAGE_URL_TTL_S);
  });
  it.each([
    ['as signed', image, now, true],
    ['expired', image, now + IMAGE_URL_TTL_S, false],
    ['another viewer', { ...image, viewer: 'mallory' }, now, false],
    ['another upload', { ...image, uploadId: 4 }, now, false],
    ['another kind', { ...image, kind: 'ID_DOCUMENT' as const }, now, false],
  ])('%s', (_case, presented, at, valid) => {
    expect(signer.imageValid(presented, exp, sig, at)).toBe(valid);
  });
});

describe('sealed values', () => {
  const sealed = signer.seal('oidc-flow', { state: 's' }, 600, now);
  it.each([
    ['as sealed', 'oidc-flow' as const, sealed, now, { state: 's' }],
    ['just before expiry', 'oidc-flow' as const, sealed, now + 599, { state: 's' }],
    ['expired', 'oidc-flow' as const, sealed, now + 600, null],
    ['for another purpose', 'oidc-session' as const, sealed, now, null],
    ['by another secret', 'oidc-flow' as const, other.seal('oidc-flow', { state: 's' }, 600, now), now, null],
    [
      'value swapped',
      'oidc-flow' as const,
      sealed.replace(/^[^.]+/, Buffer.from('{"state":"t"}').toString('base64url')),
      now,
      null,
    ],
    ['a session cookie', 'oidc-session' as const, signer.newSession('erin', now), now, null],
    ['missing', 'oidc-flow' as const, undefined, now, null],
  ])('%s', (_case, purpose, presented, at, value) => {
    expect(signer.unseal(purpose, presented, at)).toEqual(value);
  });
});

describe('the console without a session secret', () => {
  it('answers 503 on every console path, naming the setting, and still redirects the email link', async () => {
    const app = Fastify();
    // Closed, the console reads none of its dependencies.
    await registerConsoleRoutes(app, {} as HttpDeps, undefined);
    for (const url of ['/console', '/console/sign-in', '/console/cases/7']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain('KYC_CONSOLE_SESSION_SECRET');
      expect(response.headers['content-security-policy']).toContain("script-src 'none'");
    }
    const link = await app.inject({ method: 'GET', url: '/cs/cases/7' });
    expect([link.statusCode, link.headers.location]).toEqual([303, '/console/cases/7']);
    await app.close();
  });
});
