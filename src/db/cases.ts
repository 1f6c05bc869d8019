/** The CS work list: users in a status, with the reasons of their latest automatic decision. */
import type { UserStatus } from '../domain/outcomes.ts';
import type { Sql } from './pool.ts';

export interface CaseSummary {
  userId: number;
  regType: string;
  status: UserStatus;
  decisionId: number | null;
  reasons: string[];
  decidedAt: Date | null;
}

export async function listCases(
  sql: Sql,
  options: { status: UserStatus; limit: number; afterUserId?: number },
): Promise<CaseSummary[]> {
  return await sql<CaseSummary[]>`
    select u.id as "userId", u.reg_type as "regType", u.status, d.id as "decisionId",
           coalesce(d.reasons, '{}') as reasons, d.decided_at as "decidedAt"
    from users u
    left join lateral (
      select id, reasons, decided_at from kyc_decisions
      where user_id = u.id and source = 'AUTOMATIC' order by decided_at desc, id desc limit 1
    ) d on true
    where u.status = ${options.status} and u.id > ${options.afterUserId ?? 0}
    order by u.id
    limit ${options.limit}`;
}
