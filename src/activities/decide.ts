/** Seed steps 4 and 5 (decision_lambda, CS review): apply the policy and record decisions and overrides. */

import type { DecideInput, RecordedDecision, RecordReviewInput } from '../contract/activities.ts';
import { recordDecision } from '../db/decisions.ts';
import { decide } from '../domain/decision.ts';
import type { ActivityDeps } from './deps.ts';

export function createDecideActivities({ sql, settings, logger }: ActivityDeps) {
  return {
    /** The policy runs here, not in the workflow, so it can change without breaking the replay of open cycles. */
    async decide({ userId, cycleId, outcomes }: DecideInput): Promise<RecordedDecision> {
      const verdict = decide(outcomes, settings.policy);
      const row = await recordDecision(sql, { userId, cycleId, ...verdict, source: 'AUTOMATIC' });
      logger.info({ userId, cycleId, decisionId: row.id, decision: row.decision, reasons: row.reasons }, 'decided');
      return { decisionId: row.id, decision: row.decision, reasons: row.reasons };
    },

    async recordReview(input: RecordReviewInput): Promise<RecordedDecision> {
      const row = await recordDecision(sql, {
        userId: input.userId,
        cycleId: input.cycleId,
        decision: input.decision,
        reasons: [input.decision === 'PASS' ? 'CS_APPROVED' : 'CS_REJECTED'],
        source: 'CS',
        reviewer: input.reviewer,
        note: input.note,
        overridesDecisionId: input.automaticDecisionId,
      });
      logger.info({ userId: input.userId, decisionId: row.id, decision: row.decision }, 'CS review recorded');
      return { decisionId: row.id, decision: row.decision, reasons: row.reasons };
    },
  };
}
