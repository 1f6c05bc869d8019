/**
 * Who is calling: one small interface for every way in. The HTTP doors (and a later CS console with session
 * cookies) ask an Authenticator for the caller's Identity, check its roles, and audit what it did.
 */

/** `intake` is a service (the product backend); `cs`, `cs-lead` and `ops` are people. */
export const ROLES = ['intake', 'cs', 'cs-lead', 'ops'] as const;
export type Role = (typeof ROLES)[number];
export const SERVICE_ROLES: readonly Role[] = ['intake'];

/** How the caller proved who they are (`terminal`: a command run on a host with database access, as its OS user). */
export type IdentityVia = 'oidc' | 'local-account' | 'service-token' | 'session' | 'terminal';

export interface Identity {
  /** Stable and unique: the OIDC `sub`, the local account's user name, or the service token's name. */
  subject: string;
  displayName: string;
  roles: Role[];
  via: IdentityVia;
}

/** What a request presents: its Authorization header, and a token in the path where a client cannot send headers. */
export interface Credentials {
  authorization?: string | undefined;
  pathToken?: string | undefined;
}

export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
}

/** The identity provider could not be asked (its keys did not load): the caller may retry. */
export class IdentityProviderUnavailable extends Error {
  override name = 'IdentityProviderUnavailable';
}

export interface Authenticator {
  /** The caller's identity, or an AuthenticationError saying (without secrets) why not. */
  authenticate(credentials: Credentials): Promise<Identity>;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
