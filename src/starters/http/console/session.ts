/**
 * The console's sign-in state, kept in the browser and signed with the session secret (HMAC-SHA256): the session
 * cookie, the CSRF token every form carries, and the short-lived URLs the case page's images load from.
 *
 * - Session: `<username>.<expiry>.<nonce>.<mac>`, HttpOnly, SameSite=Strict, Secure outside `npm start` on loopback.
 *   The account is read again on every request, so a disabled account is signed out at once.
 * - CSRF: a signed double-submit token. A random value lives in its own HttpOnly cookie; each form carries the
 *   value's MAC, which a page on another site can neither read nor compute.
 * - Images: `?exp=<unix seconds>&sig=<mac>` over the case, the upload and the signed-in reviewer; the URL names ids
 *   only, and stops working after IMAGE_URL_TTL_S.
 * - Sealed values (`seal`/`unseal`): `<base64url JSON>.<expiry>.<mac>` for a purpose, e.g. the OIDC sign-in's state,
 *   nonce and PKCE verifier, and the session of a person signed in through OIDC. Signed, not encrypted: they hold
 *   nothing the browser that carries them may not read.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'kyc_console_session';
export const CSRF_COOKIE = 'kyc_console_csrf';
export const SESSION_TTL_S = 8 * 60 * 60;
export const IMAGE_URL_TTL_S = 60;
/** What a sealed value is for: a value sealed for one purpose is refused for every other. */
export type SealPurpose = 'oidc-flow' | 'oidc-session';

export interface ConsoleSigner {
  newSession(subject: string, nowS?: number): string;
  /** The subject of a valid, unexpired session cookie, else null. */
  sessionSubject(cookie: string | undefined, nowS?: number): string | null;
  newCsrfSeed(): string;
  csrfToken(seed: string): string;
  csrfValid(seed: string | undefined, token: unknown): boolean;
  imageQuery(image: ImageRef, nowS?: number): string;
  imageValid(image: ImageRef, exp: number, sig: string, nowS?: number): boolean;
  seal(purpose: SealPurpose, value: unknown, ttlS: number, nowS?: number): string;
  /** The value of a valid, unexpired seal made for `purpose`, else null. */
  unseal(purpose: SealPurpose, sealed: string | undefined, nowS?: number): unknown;
}

export interface ImageRef {
  userId: number;
  kind: 'ID_DOCUMENT' | 'SELFIE';
  uploadId: number;
  viewer: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Compares a secret value in constant time. */
export function sameSecret(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createConsoleSigner(secret: string): ConsoleSigner {
  const mac = (purpose: string, value: string) =>
    createHmac('sha256', secret).update(`${purpose}\n${value}`).digest('base64url');
  const imageValue = (image: ImageRef, exp: number) =>
    [image.userId, image.kind, image.uploadId, image.viewer, exp].join('\n');

  return {
    newSession(subject, nowS = nowSeconds()) {
      const body = `${Buffer.from(subject).toString('base64url')}.${nowS + SESSION_TTL_S}.${randomBytes(16).toString('base64url')}`;
      return `${body}.${mac('session', body)}`;
    },
    sessionSubject(cookie, nowS = nowSeconds()) {
      const parts = cookie?.split('.') ?? [];
      if (parts.length !== 4) return null;
      const [subject, expiry, nonce, signature] = parts as [string, string, string, string];
      if (!sameSecret(mac('session', `${subject}.${expiry}.${nonce}`), signature)) return null;
      if (!(Number(expiry) > nowS)) return null;
      return Buffer.from(subject, 'base64url').toString('utf8');
    },
    newCsrfSeed: () => randomBytes(24).toString('base64url'),
    csrfToken: (seed) => mac('csrf', seed),
    csrfValid(seed, token) {
      return (
        typeof seed === 'string' && seed.length > 0 && typeof token === 'string' && sameSecret(mac('csrf', seed), token)
      );
    },
    imageQuery(image, nowS = nowSeconds()) {
      const exp = nowS + IMAGE_URL_TTL_S;
      return `exp=${exp}&sig=${mac('image', imageValue(image, exp))}`;
    },
    imageValid(image, exp, sig, nowS = nowSeconds()) {
      return exp > nowS && exp <= nowS + IMAGE_URL_TTL_S && sameSecret(mac('image', imageValue(image, exp)), sig);
    },
    seal(purpose, value, ttlS, nowS = nowSeconds()) {
      const body = `${Buffer.from(JSON.stringify(value)).toString('base64url')}.${nowS + ttlS}`;
      return `${body}.${mac(purpose, body)}`;
    },
    unseal(purpose, sealed, nowS = nowSeconds()) {
      const parts = sealed?.split('.') ?? [];
      if (parts.length !== 3) return null;
      const [value, expiry, signature] = parts as [string, string, string];
      if (!sameSecret(mac(purpose, `${value}.${expiry}`), signature)) return null;
      if (!(Number(expiry) > nowS)) return null;
      try {
        return JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
      } catch {
        return null;
      }
    },
  };
}
