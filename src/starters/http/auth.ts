/**
 * Sign-in at the HTTP doors: each route names the roles it admits; the caller's identity comes from the shared
 * identity layer (service tokens, OIDC, local accounts), is kept on the request, and every request that carried an
 * identity is written to `audit_events` before its answer goes out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../../db/pool.ts';
import {
  AuthenticationError,
  type Authenticator,
  audit,
  type Identity,
  IdentityProviderUnavailable,
  type Role,
} from '../../identity/index.ts';
import { HttpError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once a route's role check has run. */
    identity?: Identity;
    /** What the route wants the audit row to say besides who, what, which case and the status. */
    auditDetail?: Record<string, unknown>;
  }
}

export type RoleCheck = (request: FastifyRequest) => Promise<void>;

/** Routes with a `:token` path parameter (the codec server's, for a Web UI that cannot send headers) read it too. */
export function createAuthorizer(authenticator: Authenticator) {
  return function requireRole(...roles: Role[]): RoleCheck {
    return async (request) => {
      let identity: Identity;
      try {
        identity = await authenticator.authenticate({
          authorization: request.headers.authorization,
          pathToken: (request.params as { token?: string } | undefined)?.token,
        });
      } catch (error) {
        if (error instanceof AuthenticationError) throw new HttpError(401, 'UNAUTHENTICATED', error.message);
        if (error instanceof IdentityProviderUnavailable)
          throw new HttpError(503, 'SIGN_IN_UNAVAILABLE', error.message);
        throw error;
      }
      request.identity = identity;
      if (!roles.some((role) => identity.roles.includes(role))) {
        throw new HttpError(403, 'FORBIDDEN', `this endpoint needs the ${roles.join(' or ')} role`);
      }
    };
  };
}

/** The identity a role check put on the request; a route without one is a programming error. */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new Error(`${request.routeOptions.url} has no role check`);
  return request.identity;
}

function caseOf(request: FastifyRequest): number | undefined {
  const params = request.params as { userId?: string; id?: string } | undefined;
  const raw = params?.userId ?? params?.id;
  return raw && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Writes the audit row as the answer is about to leave: denied requests (403) included. If the row cannot be
 * written the caller gets a 500, so no authenticated action is answered as done without its record.
 */
export function installAuditTrail(app: FastifyInstance, sql: Sql): void {
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if (!request.identity) return payload;
    try {
      await audit(sql, {
        identity: request.identity,
        action: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
        userId: caseOf(request),
        status: reply.statusCode,
        sourceAddress: request.ip,
        requestId: request.id,
        detail: request.auditDetail,
      });
      return payload;
    } catch (error) {
      request.log.error({ err: error }, 'could not write the audit row');
      reply.code(500).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify({ error: { code: 'AUDIT_FAILED', message: 'the action could not be recorded' } });
    }
  });
}
