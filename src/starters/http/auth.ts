/** Bearer tokens carry a role; each route names the roles it admits. Tokens are compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../../config.ts';
import { HttpError } from './errors.ts';

export type TokenTable = { role: Role; token: string }[];

// Hashing first gives equal-length inputs to timingSafeEqual, so a token's length leaks nothing either.
const digest = (value: string) => createHash('sha256').update(value).digest();

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return header ? /^Bearer ([\x21-\x7e]+)$/.exec(header)?.[1] : undefined;
}

/** Routes with a `:token` path parameter (the codec server's, for the Web UI) accept the token there too. */
export function createAuthorizer(tokens: TokenTable) {
  const table = tokens.map(({ role, token }) => ({ role, digest: digest(token) }));
  return function requireRole(...roles: Role[]) {
    return async (request: FastifyRequest): Promise<void> => {
      const presentedToken = bearerToken(request) ?? (request.params as { token?: string } | undefined)?.token;
      if (!presentedToken) throw new HttpError(401, 'UNAUTHENTICATED', 'a bearer token is required');
      const presented = digest(presentedToken);
      // Every entry is compared, so the time taken does not say which role's token was close.
      let granted: Role | null = null;
      for (const entry of table) if (timingSafeEqual(entry.digest, presented)) granted = entry.role;
      if (!granted) throw new HttpError(401, 'UNAUTHENTICATED', 'unknown token');
      if (!roles.includes(granted))
        throw new HttpError(403, 'FORBIDDEN', `this endpoint needs the ${roles.join(' or ')} role`);
    };
  };
}
