/**
 * The CS work list: users in a status, with the decision that stands now (a CS override when there is one) and the
 * reasons of their latest automatic decision.
 */
import type { UserStatus } from '../domain/outcomes.ts';
import type { Sql } from './pool.ts';

export interface CaseSummary {
  userId: number;
  regType: string;
  status: UserStatus;
  /** The latest automatic decision: its id and reasons, and when it was made. */
  decisionId: number | null;
  reasons: string[];
  decidedAt: Date | null;
  /** The decision that stands now: a CS override of the automatic decision, or the automatic decision itself. */
  current: {
    decisionId: number;
    decision: 'PASS' | 'FAIL' | 'MANUAL_REVIEW';
    source: 'AUTOMATIC' | 'CS';
    reviewer: string | null;
    decidedAt: Date;
  } | null;
}

export async function listCases(
  sql: Sql,
  options: { status: UserStatus; limit: number; afterUserId?: number },
): Promise<CaseSummary[]> {
  const rows = await sql<(Omit<CaseSummary, 'current'> & CurrentColumns)[]>`
    select u.id as "userId", u.reg_type as "regType", u.status, d.id as "decisionId",
           coalesce(d.reasons, '{}') as reasons, d.decided_at as "decidedAt",
           c.id as "currentId", c.decision as "currentDecision", c.source as "currentSource",
           c.reviewer as "currentReviewer", c.decided_at as "currentDecidedAt"
    from users u
    left join lateral (
      select id, reasons, decided_at from kyc_decisions
      where user_id = u.id and source = 'AUTOMATIC' order by decided_at desc, id desc limit 1
    ) d on true
    left join lateral (
      select id, decision, source, reviewer, decided_at from kyc_decisions
      where user_id = u.id order by decided_at desc, id desc limit 1
    ) c on true
    where u.status = ${options.status} and u.id > ${options.afterUserId ?? 0}
    order by u.id
    limit ${options.limit}`;
  return rows.map(({ currentId, currentDecision, currentSource, currentReviewer, currentDecidedAt, ...summary }) => ({
    ...summary,
    current:
      currentId === null
        ? null
        : {
            decisionId: currentId,
            decision: currentDecision,
            source: currentSource,
            reviewer: currentReviewer,
            decidedAt: currentDecidedAt,
          },
  }));
}

type CurrentColumns =
  | { currentId: null; currentDecision: null; currentSource: null; currentReviewer: null; currentDecidedAt: null }
  | {
      currentId: number;
      currentDecision: NonNullable<CaseSummary['current']>['decision'];
      currentSource: NonNullable<CaseSummary['current']>['source'];
      currentReviewer: string | null;
      currentDecidedAt: Date;
    };
