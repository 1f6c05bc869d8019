/**
 * People sign in with the organisation's OIDC provider; the API receives their access tokens as bearer tokens and
 * verifies each against the issuer's JWKS (fetched and cached by jose, refetched when an unknown `kid` appears):
 * signature, issuer, audience, expiry. Roles come from a configurable claim.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { AuthenticationError, type Identity, IdentityProviderUnavailable, isRole, type Role } from './identity.ts';

export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** A claim name, or a dotted path into nested claims (`realm_access.roles`). */
  rolesClaim: string;
}

/** Asymmetric algorithms only: an HMAC or `none` token is refused before any key is looked at. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path
    .split('.')
    .reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], payload);
}

function rolesFrom(claim: unknown): Role[] {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  return [...new Set(values.filter(isRole))];
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim().slice(0, 200) : undefined);

/** Verifies the issuer's JWTs for an audience: signature against the issuer's JWKS, issuer, audience, expiry. */
function createJwtVerifier(settings: OidcSettings) {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
  return async function verifyJwt(token: string, audience: string, requiredClaims: string[]): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp', ...requiredClaims],
        clockTolerance: 30,
      });
      return payload;
    } catch (error) {
      // The provider being unreachable is not the caller's fault: that is a 503, not a 401.
      if (error instanceof errors.JWKSTimeout || !(error instanceof errors.JOSEError)) {
        throw new IdentityProviderUnavailable("the identity provider's keys could not be fetched", { cause: error });
      }
      throw new AuthenticationError(reason(error));
    }
  };
}

function identityFrom(payload: JWTPayload, settings: OidcSettings): Identity {
  const subject = text(payload.sub) as string;
  return {
    subject,
    displayName: text(payload.name) ?? text(payload.preferred_username) ?? text(payload.email) ?? subject,
    roles: rolesFrom(claimAt(payload, settings.rolesClaim)),
    via: 'oidc',
  };
}

/** Access tokens presented to the API as bearer tokens, for its audience. */
export function createOidcVerifier(settings: OidcSettings) {
  const verifyJwt = createJwtVerifier(settings);
  return async (token: string): Promise<Identity> =>
    identityFrom(await verifyJwt(token, settings.audience, []), settings);
}

/**
 * ID tokens from the authorization-code flow (the CS console's sign-in): issued to `clientId`, and carrying the
 * nonce this sign-in sent, so a token minted for another sign-in, or replayed from one, is refused.
 */
export function createIdTokenVerifier(settings: OidcSettings, clientId: string) {
  const verifyJwt = createJwtVerifier(settings);
  return async (idToken: string, nonce: string): Promise<Identity> => {
    const payload = await verifyJwt(idToken, clientId, ['nonce']);
    if (payload.nonce !== nonce) throw new AuthenticationError("the token's nonce claim is not this sign-in's");
    // A token for several audiences must name this client as the party it was issued to (OIDC Core 3.1.3.7).
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== clientId) {
      throw new AuthenticationError("the token's azp claim is not this client");
    }
    return identityFrom(payload, settings);
  };
}

/** Why a token was refused, in words that leak nothing about keys. */
function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted`;
  if (error instanceof errors.JWKSNoMatchingKey) return "the token's signing key is not the issuer's";
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  return 'the token is not valid';
}
