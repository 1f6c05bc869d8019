/**
 * The console's sign-in through the organisation's OIDC provider: the authorization code flow with PKCE (S256),
 * `state` and `nonce`. The flow's secrets travel in a short-lived cookie sealed with the session secret, so the
 * service keeps no sign-in state; the provider's single-use codes stop a replayed callback.
 *
 * Written by hand rather than with `openid-client` v6, which would do the same given `enableNonRepudiationChecks`
 * (without it, it does not check the ID token's signature): the flow is one redirect, one POST and one ID-token check,
 * and the check is the jose JWKS verification the API's bearer tokens already go through. The library would add a
 * dependency, and reaching the tests' plain-http issuer would take an `allowInsecureRequests` switch in production code.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AuthenticationError, type Identity, IdentityProviderUnavailable } from '../../../identity/index.ts';
import { createIdTokenVerifier, type OidcSettings } from '../../../identity/oidc.ts';

export interface ConsoleOidcClient {
  clientId: string;
  clientSecret: string;
  authorizationUrl: string;
  tokenUrl: string;
  /** KYC_CS_BASE_URL/console/oidc/callback, registered with the provider. */
  redirectUri: string;
}

export const OIDC_FLOW_COOKIE = 'kyc_console_oidc';
/** Long enough to sign in at the provider, short enough that a stolen cookie soon stops mattering. */
export const OIDC_FLOW_TTL_S = 10 * 60;

/** What the flow cookie holds between the redirect out and the callback. */
export const flowSchema = z.object({
  state: z.string().min(20),
  nonce: z.string().min(20),
  verifier: z.string().min(43),
  next: z.string(),
});
export type SignInFlow = z.infer<typeof flowSchema>;

export const callbackQuerySchema = z.object({
  code: z.string().min(1).max(2000),
  state: z.string().min(1).max(200),
});

/** Why a sign-in was refused: a code for the audit row, words for the page. Nothing the provider sent is echoed. */
export class SignInRefused extends Error {
  readonly code: string;
  readonly status: number;
  /** The person, when the provider's answer verified but the console refuses them. */
  readonly identity: Identity | undefined;
  constructor(code: string, message: string, status = 401, identity?: Identity, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.status = status;
    this.identity = identity;
  }
}

const random = () => randomBytes(32).toString('base64url');

export function createConsoleOidc(client: ConsoleOidcClient, oidc: OidcSettings) {
  const verifyIdToken = createIdTokenVerifier(oidc, client.clientId);

  return {
    /** A new flow and the provider's authorization URL for it. */
    begin(next: string): { flow: SignInFlow; url: string } {
      const flow = { state: random(), nonce: random(), verifier: random(), next };
      const url = new URL(client.authorizationUrl);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: client.redirectUri,
        scope: 'openid profile',
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: createHash('sha256').update(flow.verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      return { flow, url: url.toString() };
    },

    /** The person the provider signed in, once the code is exchanged and the ID token verified. */
    async complete(flow: SignInFlow, code: string): Promise<Identity> {
      const credentials = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
      let response: Response;
      try {
        response = await fetch(client.tokenUrl, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: client.redirectUri,
            code_verifier: flow.verifier,
          }),
          redirect: 'error',
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        throw new SignInRefused('PROVIDER_UNREACHABLE', 'the identity provider could not be reached', 503, undefined, {
          cause: error,
        });
      }
      const body = (await response.json().catch(() => null)) as { id_token?: unknown } | null;
      if (!response.ok || typeof body?.id_token !== 'string') {
        throw new SignInRefused('CODE_REFUSED', 'the identity provider did not accept the sign-in; try again');
      }
      try {
        return await verifyIdToken(body.id_token, flow.nonce);
      } catch (error) {
        if (error instanceof IdentityProviderUnavailable) {
          throw new SignInRefused('PROVIDER_UNREACHABLE', "the identity provider's keys could not be fetched", 503);
        }
        if (error instanceof AuthenticationError) {
          throw new SignInRefused('ID_TOKEN_REFUSED', "the identity provider's answer did not verify; try again");
        }
        throw error;
      }
    },
  };
}
