/**
 * The CS review console at /console: server-rendered pages, a session cookie from the sign-in form, a CSRF token on
 * every form, a strict Content-Security-Policy, and each action a Temporal Update whose validator's answer the page
 * shows at once. Every request made signed in carries the identity, so the audit hook writes its row.
 */
import { readFile } from 'node:fs/promises';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  type ClaimReview,
  claimReviewUpdate,
  csReasonCodeSchema,
  type KycStatusView,
  kycWorkflowId,
  type OverrideDecision,
  overrideDecisionUpdate,
  requestDocumentsUpdate,
} from '../../../contract/kyc-workflow.ts';
import { caseEvidence, queueCounts, queuePage, recordReviewClaim, uploadKey } from '../../../db/console.ts';
import type { PolicyThresholds } from '../../../domain/decision.ts';
import { registerPublicPage } from '../../../domain/register-pages.ts';
import { REG_TYPES } from '../../../domain/registers.ts';
import {
  auditEventsForCase,
  type Identity,
  isRole,
  localAccountIdentity,
  type Role,
  signInLocalAccount,
} from '../../../identity/index.ts';
import type { OidcSettings } from '../../../identity/oidc.ts';
import { getKycStatus, submitCsReview } from '../../kyc-client.ts';
import type { HttpDeps } from '../deps.ts';
import { HttpError } from '../errors.ts';
import { userIdParam } from '../request.ts';
import {
  type ConsoleOidcClient,
  callbackQuerySchema,
  createConsoleOidc,
  flowSchema,
  OIDC_FLOW_COOKIE,
  OIDC_FLOW_TTL_S,
  SignInRefused,
} from './oidc.ts';
import {
  type ConsoleSigner,
  CSRF_COOKIE,
  createConsoleSigner,
  SESSION_COOKIE,
  SESSION_TTL_S,
  sameSecret,
} from './session.ts';
import { casePage, errorPage, QUEUE_AGES, queuePage as renderQueue, signedInPage, signInPage } from './views.ts';

export interface ConsoleSettings {
  /** Signs sessions, CSRF tokens and image URLs. Without one the console is closed (503). */
  sessionSecret: string | undefined;
  /** Secure cookies: everywhere but `npm start` on loopback. */
  secureCookies: boolean;
  /** The CS review SLA: a review waiting longer is breached (KYC_CS_REMINDER_AFTER). */
  reviewSlaMs: number;
  thresholds: PolicyThresholds;
  temporalUi: { url: string; namespace: string };
  /** The sign-in form for local accounts: `npm start` only (production entry points read no local accounts). */
  localSignIn: boolean;
  /** Sign-in through the organisation's OIDC provider (README, "CS review console"). */
  oidc?: { client: ConsoleOidcClient; provider: OidcSettings } | undefined;
}

const PAGE_SIZE = 50;
const REVIEWERS: Role[] = ['cs', 'cs-lead'];
/** The roles that may hold a console session through OIDC; sign-out takes any of them. */
const CONSOLE_ROLES: Role[] = ['cs', 'cs-lead', 'ops'];
/** Who an OIDC sign-in refused before it knew the person: the audit row still needs an actor. */
const UNVERIFIED_SIGN_IN: Identity = {
  subject: '(unverified)',
  displayName: 'unverified console sign-in',
  roles: [],
  via: 'oidc',
};
const oidcSessionSchema = z.object({
  subject: z.string().min(1),
  displayName: z.string(),
  roles: z.array(z.string()).transform((roles) => roles.filter(isRole)),
});
const STYLESHEET = new URL('./console.css', import.meta.url);

const queueQuerySchema = z.object({
  register: z.enum(REG_TYPES).or(z.literal('')).optional(),
  reason: z
    .string()
    .regex(/^[A-Z_]{1,60}$/)
    .or(z.literal(''))
    .optional(),
  age: z.enum(Object.keys(QUEUE_AGES) as [string, ...string[]]).default('any'),
  sla: z.enum(['breached', '']).optional(),
  assignee: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  /** Set by the redirect after a decision: the case, its decision and the decision row. */
  decided: z.coerce.number().int().positive().optional(),
  decision: z.enum(['PASS', 'FAIL']).optional(),
  decisionId: z.coerce.number().int().positive().optional(),
  /** Set by the redirect after a request for new documents. */
  asked: z.coerce.number().int().positive().optional(),
  documents: z.enum(['ID_DOCUMENT', 'SELFIE', 'ID_DOCUMENT,SELFIE', 'SELFIE,ID_DOCUMENT']).optional(),
});

const csrfField = { _csrf: z.string().max(200) };
const reviewFormSchema = z.object({
  ...csrfField,
  decision: z.enum(['PASS', 'FAIL']),
  reasonCode: csReasonCodeSchema,
  note: z.string().trim().min(1, 'a note is required').max(2000),
});
const overrideFormSchema = reviewFormSchema;
const documentKind = z.enum(['ID_DOCUMENT', 'SELFIE']);
const requestDocumentsFormSchema = z.object({
  ...csrfField,
  // One ticked box arrives as a string, two as an array.
  documents: z.union([documentKind.transform((kind) => [kind]), z.array(documentKind)]),
  message: z.string().trim().min(1, 'a message to the user is required').max(1000),
});
/** Where sign-in returns to: a console page of this service, never another site. */
const CONSOLE_PAGE = /^\/console(\/cases\/[1-9]\d{0,15})?$/;
const nextPage = (value: unknown) => (typeof value === 'string' && CONSOLE_PAGE.test(value) ? value : '/console');
const signInFormSchema = z.object({
  ...csrfField,
  next: z.string().max(100).optional(),
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});
const imageParamsSchema = z.object({
  userId: z.string().regex(/^[1-9]\d{0,15}$/),
  kind: z.enum(['id-document', 'selfie']),
  uploadId: z.string().regex(/^[1-9]\d{0,15}$/),
});
const imageQuerySchema = z.object({ exp: z.coerce.number().int().positive(), sig: z.string().max(100) });

interface Session {
  identity: Identity;
  csrf: string;
}

class SignInRequired extends Error {}

/** Without settings (or a session secret) the console is closed. */
export async function registerConsoleRoutes(app: FastifyInstance, deps: HttpDeps, settings?: ConsoleSettings) {
  const secret = settings?.sessionSecret;
  await app.register(async (scope) => {
    await scope.register(cookie);
    await scope.register(formbody);
    await scope.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      hsts: settings?.secureCookies ?? true,
    });
    scope.addHook('onRequest', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    if (!settings || !secret) {
      scope.all('/console', closed);
      scope.all('/console/*', closed);
      return;
    }
    registerPages(scope, deps, settings, createConsoleSigner(secret));
  });
  // The CS email's "Review it" link: people land on the console's case page.
  app.get('/cs/cases/:userId', async (request, reply) =>
    reply.redirect(`/console/cases/${userIdParam(request.params)}`, 303),
  );
}

async function closed(_request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(503)
    .type('text/html; charset=utf-8')
    .send(errorPage(503, 'The console is closed: set KYC_CONSOLE_SESSION_SECRET (README, "CS review console").'));
}

function registerPages(app: FastifyInstance, deps: HttpDeps, settings: ConsoleSettings, signer: ConsoleSigner) {
  const { sql, kyc, store } = deps;
  const cookieOptions = {
    httpOnly: true as const,
    sameSite: 'strict' as const,
    secure: settings.secureCookies,
    path: '/console',
  };

  /** The CSRF seed of this browser, set when it has none; forms carry its MAC. */
  function csrfFor(request: FastifyRequest, reply: FastifyReply): string {
    let seed = request.cookies[CSRF_COOKIE];
    if (!seed) {
      seed = signer.newCsrfSeed();
      reply.setCookie(CSRF_COOKIE, seed, cookieOptions);
    }
    return signer.csrfToken(seed);
  }

  function checkCsrf(request: FastifyRequest, body: unknown): void {
    const token = (body as { _csrf?: unknown } | undefined)?._csrf;
    if (!signer.csrfValid(request.cookies[CSRF_COOKIE], token)) {
      throw new HttpError(403, 'CSRF', 'the form is stale or came from another site; reload the page and try again');
    }
  }

  /**
   * A local account's session (read again each time; only where local accounts are read), or a session from an OIDC
   * sign-in (as its ID token said).
   */
  async function sessionIdentity(cookie: string | undefined): Promise<Identity | null> {
    const subject = signer.sessionSubject(cookie);
    if (subject) return settings.localSignIn ? localAccountIdentity(sql, subject) : null;
    const sealed = oidcSessionSchema.safeParse(signer.unseal('oidc-session', cookie));
    return sealed.success ? { ...sealed.data, via: 'oidc' } : null;
  }

  async function session(request: FastifyRequest, reply: FastifyReply, roles: Role[] = REVIEWERS): Promise<Session> {
    const identity = await sessionIdentity(request.cookies[SESSION_COOKIE]);
    if (!identity) throw new SignInRequired();
    request.identity = identity;
    if (!roles.some((role) => identity.roles.includes(role))) {
      throw new HttpError(403, 'FORBIDDEN', `the console needs the ${roles.join(' or ')} role`);
    }
    return { identity, csrf: csrfFor(request, reply) };
  }

  const sendHtml = (reply: FastifyReply, body: string, status = 200) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);

  app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof SignInRequired) {
      // A GET of a case page (the CS email's link) comes back to it after sign-in.
      const path = request.url.split('?')[0] ?? '';
      const next = request.method === 'GET' && CONSOLE_PAGE.test(path) ? `?next=${encodeURIComponent(path)}` : '';
      return reply.redirect(`/console/sign-in${next}`, 303);
    }
    const status = error instanceof HttpError ? error.status : (error.statusCode ?? 500);
    if (status >= 500) request.log.error({ err: error }, 'console request failed');
    const message = status >= 500 ? 'internal error' : error.message;
    const signedIn = request.identity ? { identity: request.identity, csrf: csrfFor(request, reply) } : undefined;
    return sendHtml(reply, errorPage(status, message, signedIn), status);
  });

  app.get('/console/assets/console.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').send(await readFile(STYLESHEET)),
  );

  const ways = { organisation: settings.oidc !== undefined, localAccounts: settings.localSignIn };

  app.get('/console/sign-in', async (request, reply) =>
    sendHtml(reply, signInPage(csrfFor(request, reply), nextPage((request.query as { next?: unknown }).next), ways)),
  );

  app.post('/console/sign-in', async (request, reply) => {
    if (!settings.localSignIn) throw new HttpError(404, 'NO_LOCAL_SIGN_IN', 'local accounts are not read here');
    checkCsrf(request, request.body);
    const form = signInFormSchema.safeParse(request.body);
    const identity = form.success ? await signInLocalAccount(sql, form.data.username, form.data.password) : null;
    if (!identity) {
      const next = nextPage((request.body as { next?: unknown } | undefined)?.next);
      return sendHtml(
        reply,
        signInPage(csrfFor(request, reply), next, ways, 'Unknown user name or wrong password.'),
        401,
      );
    }
    request.identity = identity;
    request.auditDetail = { signedIn: 'console' };
    // A fresh CSRF seed with the session, so a seed planted before sign-in is worth nothing after it.
    reply.setCookie(SESSION_COOKIE, signer.newSession(identity.subject), { ...cookieOptions, maxAge: SESSION_TTL_S });
    reply.setCookie(CSRF_COOKIE, signer.newCsrfSeed(), cookieOptions);
    return reply.redirect(nextPage(form.data?.next), 303);
  });

  if (settings.oidc) registerOidcSignIn(app, settings.oidc, signer, cookieOptions, sendHtml);

  app.post('/console/sign-out', async (request, reply) => {
    await session(request, reply, ['cs', 'cs-lead', 'ops', 'intake']);
    checkCsrf(request, request.body);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.redirect('/console/sign-in', 303);
  });

  app.get('/console', async (request, reply) => {
    const signedIn = await session(request, reply);
    const parsed = queueQuerySchema.safeParse(request.query);
    if (!parsed.success) throw new HttpError(400, 'INVALID_FILTER', 'unknown filter value');
    const query = parsed.data;
    const filter = {
      register: query.register || undefined,
      reason: query.reason || undefined,
      minAgeHours: QUEUE_AGES[query.age],
      slaBreached: query.sla === 'breached',
      assignee: query.assignee || undefined,
    };
    const slaMs = settings.reviewSlaMs;
    const [page, counts] = await Promise.all([
      queuePage(sql, filter, { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE, slaMs }),
      queueCounts(sql, slaMs),
    ]);
    const view = {
      rows: page.rows,
      matching: page.matching,
      counts,
      filter: { ...filter, age: query.age },
      page: query.page,
      pageSize: PAGE_SIZE,
      slaMs,
      now: new Date(),
      flash: queueFlash(query),
    };
    return sendHtml(reply, renderQueue(view, signedIn));
  });

  const canDecideAny = (identity: Identity) => identity.roles.includes('cs-lead');

  async function showCase(
    request: FastifyRequest,
    reply: FastifyReply,
    signedIn: Session,
    flash: { accepted: boolean; message: string } | null,
    status = 200,
  ) {
    const userId = userIdParam(request.params);
    const evidence = await caseEvidence(sql, userId);
    if (!evidence) throw new HttpError(404, 'UNKNOWN_USER', `no case ${userId}`);
    // A reviewer sees the cases in the queue; a CS lead also the decided ones, to override them.
    if (evidence.status !== 'MANUAL_REVIEW' && !canDecideAny(signedIn.identity)) {
      throw new HttpError(403, 'NOT_IN_QUEUE', `case ${userId} is not waiting for review`);
    }
    let workflow: KycStatusView | null = null;
    try {
      workflow = await getKycStatus(kyc, userId);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
    const viewer = signedIn.identity.subject;
    const imageUrl = (kind: 'ID_DOCUMENT' | 'SELFIE', uploadId: number | undefined) =>
      uploadId === undefined
        ? null
        : `/console/cases/${userId}/images/${kind === 'ID_DOCUMENT' ? 'id-document' : 'selfie'}/${uploadId}?${signer.imageQuery({ userId, kind, uploadId, viewer })}`;
    const face = evidence.faceChecks.at(-1);
    const scan = evidence.scans.at(-1);
    const body = casePage(
      {
        evidence,
        status: workflow,
        images: {
          idDocument: imageUrl('ID_DOCUMENT', face?.idDocumentId ?? scan?.idDocumentId),
          selfie: imageUrl('SELFIE', face?.selfieId),
        },
        thresholds: settings.thresholds,
        registerPage: registerPublicPage(evidence.regType, evidence.regNo),
        temporalLink: `${settings.temporalUi.url}/namespaces/${encodeURIComponent(settings.temporalUi.namespace)}/workflows/${kycWorkflowId(userId)}`,
        audit: await auditEventsForCase(sql, userId),
        flash,
        canOverride: canDecideAny(signedIn.identity),
        canReassign: canDecideAny(signedIn.identity),
      },
      signedIn,
    );
    return sendHtml(reply, body, status);
  }

  app.get('/console/cases/:userId', async (request, reply) =>
    showCase(request, reply, await session(request, reply), null),
  );

  app.get('/console/cases/:userId/images/:kind/:uploadId', async (request, reply) => {
    const signedIn = await session(request, reply);
    const params = imageParamsSchema.safeParse(request.params);
    const query = imageQuerySchema.safeParse(request.query);
    if (!params.success || !query.success) throw new HttpError(400, 'BAD_IMAGE_URL', 'malformed image URL');
    const image = {
      userId: Number(params.data.userId),
      kind: params.data.kind === 'id-document' ? ('ID_DOCUMENT' as const) : ('SELFIE' as const),
      uploadId: Number(params.data.uploadId),
      viewer: signedIn.identity.subject,
    };
    request.auditDetail = { imageView: image.kind, uploadId: image.uploadId };
    if (!signer.imageValid(image, query.data.exp, query.data.sig)) {
      throw new HttpError(403, 'IMAGE_URL_EXPIRED', 'the image link has expired or is not yours; reload the case');
    }
    const key = await uploadKey(sql, image.userId, { kind: image.kind, id: image.uploadId });
    if (!key) throw new HttpError(404, 'NO_IMAGE', 'no such upload on this case');
    const bytes = await store.get({ bucket: deps.settings.bucket, key });
    return reply
      .header('cache-control', 'no-store, private')
      .header('content-disposition', 'inline')
      .type(sniffImageType(bytes))
      .send(Buffer.from(bytes));
  });

  /** Runs an action's update; a refusal by its validator is shown on the case page with its reason (409). */
  async function act(
    request: FastifyRequest,
    reply: FastifyReply,
    signedIn: Session,
    run: () => Promise<{ accepted: true; message: string; thenGoTo?: string } | { accepted: false; reason: string }>,
  ) {
    let outcome: Awaited<ReturnType<typeof run>>;
    try {
      outcome = await run();
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        outcome = { accepted: false, reason: error.cause?.message ?? error.message };
      } else if (error instanceof WorkflowNotFoundError) {
        outcome = { accepted: false, reason: 'this case has no workflow' };
      } else throw error;
    }
    request.auditDetail = { ...request.auditDetail, accepted: outcome.accepted };
    if (!outcome.accepted) {
      return showCase(request, reply, signedIn, { accepted: false, message: `Refused: ${outcome.reason}` }, 409);
    }
    if (outcome.thenGoTo) return reply.redirect(outcome.thenGoTo, 303);
    return showCase(request, reply, signedIn, { accepted: true, message: outcome.message });
  }

  app.post('/console/cases/:userId/claim', async (request, reply) => {
    const signedIn = await session(request, reply);
    const userId = userIdParam(request.params);
    checkCsrf(request, request.body);
    const reviewer = signedIn.identity.subject;
    const claim: ClaimReview = { reviewer, reassign: canDecideAny(signedIn.identity) };
    return act(request, reply, signedIn, async () => {
      const accepted = await kyc.client.workflow
        .getHandle(kycWorkflowId(userId))
        .executeUpdate(claimReviewUpdate, { args: [claim] });
      await recordReviewClaim(sql, userId, reviewer);
      request.auditDetail = { claimedFrom: accepted.previousReviewer };
      return {
        accepted: true,
        message: accepted.previousReviewer ? `Reassigned to you from ${accepted.previousReviewer}.` : 'Claimed.',
      };
    });
  });

  app.post('/console/cases/:userId/review', async (request, reply) => {
    const signedIn = await session(request, reply);
    const userId = userIdParam(request.params);
    checkCsrf(request, request.body);
    const form = parseForm(reviewFormSchema, request.body);
    request.auditDetail = { decision: form.decision, reasonCode: form.reasonCode };
    return act(request, reply, signedIn, async () => {
      const result = await submitCsReview(kyc, userId, {
        decision: form.decision,
        reviewer: signedIn.identity.subject,
        note: form.note,
        reasonCode: form.reasonCode,
      });
      if (!result.accepted) return result;
      request.auditDetail = { ...request.auditDetail, decisionId: result.decisionId };
      // The case has left the queue: back to it, with the answer (ids only in the URL).
      const answer = new URLSearchParams({
        decided: String(userId),
        decision: result.decision,
        decisionId: String(result.decisionId),
      });
      return { accepted: true, message: 'recorded', thenGoTo: `/console?${answer}` };
    });
  });

  app.post('/console/cases/:userId/request-documents', async (request, reply) => {
    const signedIn = await session(request, reply);
    const userId = userIdParam(request.params);
    checkCsrf(request, request.body);
    const form = parseForm(requestDocumentsFormSchema, request.body);
    request.auditDetail = { requested: form.documents };
    return act(request, reply, signedIn, async () => {
      const requested = await kyc.client.workflow
        .getHandle(kycWorkflowId(userId))
        .executeUpdate(requestDocumentsUpdate, {
          args: [{ reviewer: signedIn.identity.subject, documents: form.documents, message: form.message }],
        });
      const answer = new URLSearchParams({ asked: String(userId), documents: requested.documents.join(',') });
      return { accepted: true, message: 'requested', thenGoTo: `/console?${answer}` };
    });
  });

  app.post('/console/cases/:userId/override', async (request, reply) => {
    const signedIn = await session(request, reply, ['cs-lead']);
    const userId = userIdParam(request.params);
    checkCsrf(request, request.body);
    const form = parseForm(overrideFormSchema, request.body);
    const override: OverrideDecision = {
      decision: form.decision,
      reviewer: signedIn.identity.subject,
      reasonCode: form.reasonCode,
      note: form.note,
    };
    request.auditDetail = { override: form.decision, reasonCode: form.reasonCode };
    return act(request, reply, signedIn, async () => {
      const accepted = await kyc.client.workflow
        .getHandle(kycWorkflowId(userId))
        .executeUpdate(overrideDecisionUpdate, { args: [override] });
      request.auditDetail = {
        ...request.auditDetail,
        decisionId: accepted.decisionId,
        overrides: accepted.overridesDecisionId,
      };
      return {
        accepted: true,
        message: `Overridden: decision #${accepted.decisionId} (${accepted.decision}) replaces #${accepted.overridesDecisionId}.`,
      };
    });
  });
}

/**
 * GET /console/oidc/start redirects to the provider with a new flow sealed in a cookie; GET /console/oidc/callback
 * checks the state against it, exchanges the code, verifies the ID token and gives a person with a console role a
 * session. Every outcome writes an audit row: the person's subject once verified, `(unverified)` before.
 */
function registerOidcSignIn(
  app: FastifyInstance,
  settings: NonNullable<ConsoleSettings['oidc']>,
  signer: ConsoleSigner,
  cookieOptions: { httpOnly: true; sameSite: 'strict'; secure: boolean; path: string },
  sendHtml: (reply: FastifyReply, body: string, status?: number) => FastifyReply,
) {
  const oidc = createConsoleOidc(settings.client, settings.provider);
  // Lax, not Strict: the provider's redirect back is a top-level GET from its site, and must carry the flow.
  const flowCookieOptions = { ...cookieOptions, sameSite: 'lax' as const, path: '/console/oidc' };

  app.get('/console/oidc/start', async (request, reply) => {
    const { flow, url } = oidc.begin(nextPage((request.query as { next?: unknown }).next));
    reply.setCookie(OIDC_FLOW_COOKIE, signer.seal('oidc-flow', flow, OIDC_FLOW_TTL_S), {
      ...flowCookieOptions,
      maxAge: OIDC_FLOW_TTL_S,
    });
    return reply.redirect(url, 303);
  });

  app.get('/console/oidc/callback', async (request, reply) => {
    // One attempt per flow: whatever happens, the flow cookie goes.
    reply.clearCookie(OIDC_FLOW_COOKIE, flowCookieOptions);
    try {
      const flow = flowSchema.safeParse(signer.unseal('oidc-flow', request.cookies[OIDC_FLOW_COOKIE]));
      if (!flow.success) throw new SignInRefused('NO_SIGN_IN_IN_PROGRESS', 'the sign-in expired; start again');
      const query = callbackQuerySchema.safeParse(request.query);
      if (!query.success) throw new SignInRefused('PROVIDER_REFUSED', 'the identity provider did not sign you in');
      if (!sameSecret(query.data.state, flow.data.state)) {
        throw new SignInRefused('STATE_MISMATCH', 'the sign-in did not match this browser; start again');
      }
      const identity = await oidc.complete(flow.data, query.data.code);
      const roles = identity.roles.filter((role) => CONSOLE_ROLES.includes(role));
      if (roles.length === 0) {
        throw new SignInRefused(
          'NO_CONSOLE_ROLE',
          `the console needs the ${CONSOLE_ROLES.join(', ')} role`,
          403,
          identity,
        );
      }
      const person = { subject: identity.subject, displayName: identity.displayName, roles };
      request.identity = { ...person, via: 'oidc' };
      request.auditDetail = { signedIn: 'console-oidc' };
      reply.setCookie(SESSION_COOKIE, signer.seal('oidc-session', person, SESSION_TTL_S), {
        ...cookieOptions,
        maxAge: SESSION_TTL_S,
      });
      reply.setCookie(CSRF_COOKIE, signer.newCsrfSeed(), cookieOptions);
      return sendHtml(reply, signedInPage(flow.data.next));
    } catch (error) {
      if (!(error instanceof SignInRefused)) throw error;
      request.identity = error.identity ?? UNVERIFIED_SIGN_IN;
      request.auditDetail = { signInRefused: error.code };
      request.log.warn({ refused: error.code }, 'console sign-in refused');
      return sendHtml(reply, errorPage(error.status, `Not signed in: ${error.message}.`), error.status);
    }
  });
}

/** The answer to the action that brought the reviewer back to the queue. */
function queueFlash(query: z.infer<typeof queueQuerySchema>): string | null {
  if (query.decided && query.decision && query.decisionId) {
    return `Case ${query.decided}: ${query.decision} recorded as decision #${query.decisionId}.`;
  }
  if (query.asked && query.documents) {
    return `Case ${query.asked}: the user is asked for a new ${query.documents.toLowerCase().replace('_', ' ').replace(',', ' and ')}; the case waits for the upload.`;
  }
  return null;
}

function parseForm<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HttpError(400, 'INVALID_FORM', `${issue?.path.join('.') || 'form'}: ${issue?.message}`);
}

/** Uploads were checked as JPEG, PNG or WebP at intake; the first bytes say which. */
function sniffImageType(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[8] === 0x57 && bytes[9] === 0x45) return 'image/webp';
  return 'application/octet-stream';
}
