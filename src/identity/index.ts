/**
 * The identity layer every door shares: `createAuthenticator(...)` verifies what a request presents and returns
 * `{ subject, displayName, roles, via }`; `audit(...)` records what that identity did.
 */
import type { Sql } from '../db/pool.ts';
import { AuthenticationError, type Authenticator, type Credentials, type Identity } from './identity.ts';
import { signInLocalAccount } from './local-accounts.ts';
import { createOidcVerifier, type OidcSettings } from './oidc.ts';
import { createServiceTokenTable, type ServiceTokenEntry } from './service-tokens.ts';

export { type AuditEvent, type AuditRow, audit, auditEventsForCase } from './audit.ts';
export * from './identity.ts';
export { localAccountIdentity, signInLocalAccount } from './local-accounts.ts';

export interface AuthenticatorSettings {
  serviceTokens: readonly ServiceTokenEntry[];
  /** People's bearer tokens, when an OIDC provider is configured. */
  oidc?: OidcSettings | undefined;
  /** HTTP Basic sign-in with local accounts (`npm start` only). */
  localAccounts?: { sql: Sql } | undefined;
}

const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

/**
 * A bearer token is a service token when its digest is listed, else an OIDC access token; `Basic` credentials are a
 * local account's. A token in the path (for the Web UI's codec endpoint) is read like a bearer token.
 */
export function createAuthenticator(settings: AuthenticatorSettings): Authenticator {
  const serviceToken = createServiceTokenTable(settings.serviceTokens);
  const oidc = settings.oidc ? createOidcVerifier(settings.oidc) : undefined;
  const accounts = settings.localAccounts;

  async function fromBearer(token: string): Promise<Identity> {
    const service = serviceToken(token);
    if (service) return service;
    if (oidc && looksLikeJwt(token)) return await oidc(token);
    throw new AuthenticationError('unknown token');
  }

  return {
    async authenticate({ authorization, pathToken }: Credentials): Promise<Identity> {
      const [, scheme, value] = /^(\w+) ([\x21-\x7e]+)$/.exec(authorization ?? '') ?? [];
      if (scheme?.toLowerCase() === 'bearer' && value) return await fromBearer(value);
      if (scheme?.toLowerCase() === 'basic' && value && accounts) {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const identity =
          colon > 0 ? await signInLocalAccount(accounts.sql, decoded.slice(0, colon), decoded.slice(colon + 1)) : null;
        if (!identity) throw new AuthenticationError('unknown user name or wrong password');
        return identity;
      }
      if (authorization) throw new AuthenticationError('unsupported Authorization scheme');
      if (pathToken) return await fromBearer(pathToken);
      throw new AuthenticationError(
        accounts ? 'sign in: a bearer token, or Basic credentials of a local account' : 'a bearer token is required',
      );
    },
  };
}
