/** kyc_decisions, users.status and the notification outbox. */
import { type CheckOutcomes, type KycDecision, USER_STATUS_FOR_DECISION } from '../domain/outcomes.ts';
import type { ReasonCode } from '../domain/reasons.ts';
import type { Sql, TransactionSql } from './pool.ts';

export interface DecisionRow {
  id: number;
  userId: number;
  cycleId: string | null;
  decision: KycDecision;
  reasons: ReasonCode[];
  source: 'AUTOMATIC' | 'CS';
  reviewer: string | null;
  decidedAt: Date;
  policyVersion: string | null;
}

/**
 * Inserts a cycle's decision and sets the user's status in one transaction. The (cycle, source) key makes a retry
 * return the decision already recorded instead of writing a second one.
 */
export async function recordDecision(
  sql: Sql,
  row: {
    userId: number;
    cycleId: string;
    decision: KycDecision;
    reasons: ReasonCode[];
    source: 'AUTOMATIC' | 'CS';
    reviewer?: string;
    note?: string;
    overridesDecisionId?: number;
    /** The monitor's register record a decision taken again rests on. */
    regCheckId?: number;
    /** The policy in force: the one that decided, or (for CS) the one under which the case reached a person. */
    policyVersion: string;
    /**
     * What the policy was applied to, for a verification cycle's automatic decision (the dry-run re-reads it) and for
     * one taken again on a register change, with the fresh register outcome (the dry-run leaves those out: they rest
     * on the change and the standing decision too).
     */
    policyInput?: CheckOutcomes;
  },
): Promise<DecisionRow> {
  return await sql.begin(async (tx) => {
    const [inserted] = await tx<DecisionRow[]>`
      insert into kyc_decisions (user_id, cycle_id, decision, reasons, source, reviewer, note, overrides_decision_id,
                                 reg_check_id, policy_version, policy_input)
      values (${row.userId}, ${row.cycleId}, ${row.decision}, ${tx.array(row.reasons)}, ${row.source},
              ${row.reviewer ?? null}, ${row.note ?? null}, ${row.overridesDecisionId ?? null}, ${row.regCheckId ?? null},
              ${row.policyVersion}, ${row.policyInput ? tx.json(row.policyInput as never) : null})
      on conflict (cycle_id, source) do nothing
      returning ${decisionColumns(tx)}`;
    if (!inserted) {
      const [existing] = await tx<DecisionRow[]>`
        select ${decisionColumns(tx)} from kyc_decisions where cycle_id = ${row.cycleId} and source = ${row.source}`;
      return existing as DecisionRow;
    }
    await tx`update users set status = ${USER_STATUS_FOR_DECISION[row.decision]} where id = ${row.userId}`;
    return inserted;
  });
}

function decisionColumns(sql: Sql | TransactionSql) {
  return sql`id, user_id as "userId", cycle_id as "cycleId", decision, reasons, source, reviewer,
             decided_at as "decidedAt", policy_version as "policyVersion"`;
}

export async function getDecision(sql: Sql, decisionId: number): Promise<DecisionRow> {
  const [row] = await sql<DecisionRow[]>`select ${decisionColumns(sql)} from kyc_decisions where id = ${decisionId}`;
  if (!row) throw new Error(`decision ${decisionId} does not exist`);
  return row;
}

/**
 * Runs `send` unless the outbox shows `idempotencyKey` as sent. The key also travels with the message (webhook
 * header, SNS attribute, email Message-ID) so a receiver can drop the rare resend after a crash between sending and
 * marking it sent.
 */
export async function sendOnce(
  sql: Sql,
  message: { idempotencyKey: string; decisionId: number; channel: string },
  send: () => Promise<void>,
): Promise<'sent' | 'already-sent'> {
  const [row] = await sql<{ sentAt: Date | null }[]>`
    insert into notifications (idempotency_key, decision_id, channel)
    values (${message.idempotencyKey}, ${message.decisionId}, ${message.channel})
    on conflict (idempotency_key) do update set channel = excluded.channel
    returning sent_at as "sentAt"`;
  if (row?.sentAt) return 'already-sent';
  await send();
  await sql`update notifications set sent_at = now() where idempotency_key = ${message.idempotencyKey}`;
  return 'sent';
}
