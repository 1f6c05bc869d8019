/** Seed steps 4 and 5 (decision_lambda, CS review): apply the policy and record decisions and overrides. */

import type { DecideInput, RecordedDecision, RecordOverrideInput, RecordReviewInput } from '../contract/activities.ts';
import { releaseReviewClaim } from '../db/console.ts';
import { recordDecision } from '../db/decisions.ts';
import { earlierHoldersOfRegistration } from '../db/users.ts';
import { decide } from '../domain/decision.ts';
import { acceptCycleSelfie } from './accepted-faces.ts';
import type { ActivityDeps } from './deps.ts';

export function createDecideActivities({ sql, faceIndex, settings, logger }: ActivityDeps) {
  /** A passed case's selfie joins the faces later selfies are searched against. */
  const acceptFace = (userId: number, cycleId: string) =>
    acceptCycleSelfie(sql, faceIndex, { userId, cycleId, bucket: settings.selfiesBucket });

  return {
    /**
     * The policy runs here, not in the workflow, so it can change without breaking the replay of open cycles. It
     * also adds what the workflow does not carry: whether another user signed up earlier with this registration.
     */
    async decide({ userId, cycleId, outcomes }: DecideInput): Promise<RecordedDecision> {
      const registrationAlsoClaimedBy = await earlierHoldersOfRegistration(sql, userId);
      const policyInput = { ...outcomes, registrationAlsoClaimedBy };
      const verdict = decide(policyInput, settings.policy);
      const row = await recordDecision(sql, {
        userId,
        cycleId,
        ...verdict,
        source: 'AUTOMATIC',
        policyVersion: settings.policy.version,
        policyInput,
      });
      if (row.decision === 'PASS') await acceptFace(userId, cycleId);
      logger.info(
        {
          userId,
          cycleId,
          decisionId: row.id,
          decision: row.decision,
          reasons: row.reasons,
          policy: row.policyVersion,
        },
        'decided',
      );
      return { decisionId: row.id, decision: row.decision, reasons: row.reasons };
    },

    async recordReview(input: RecordReviewInput): Promise<RecordedDecision> {
      const row = await recordDecision(sql, {
        userId: input.userId,
        cycleId: input.cycleId,
        decision: input.decision,
        reasons: [
          input.decision === 'PASS' ? 'CS_APPROVED' : 'CS_REJECTED',
          ...(input.reasonCode ? [input.reasonCode] : []),
        ],
        source: 'CS',
        reviewer: input.reviewer,
        note: input.note,
        overridesDecisionId: input.automaticDecisionId,
        policyVersion: settings.policy.version,
      });
      await releaseReviewClaim(sql, input.userId);
      if (row.decision === 'PASS') await acceptFace(input.userId, input.cycleId);
      logger.info({ userId: input.userId, decisionId: row.id, decision: row.decision }, 'CS review recorded');
      return { decisionId: row.id, decision: row.decision, reasons: row.reasons };
    },

    async recordOverride(input: RecordOverrideInput): Promise<RecordedDecision> {
      const row = await recordDecision(sql, {
        userId: input.userId,
        cycleId: input.cycleId,
        decision: input.decision,
        reasons: [input.decision === 'PASS' ? 'CS_APPROVED' : 'CS_REJECTED', input.reasonCode],
        source: 'CS',
        reviewer: input.reviewer,
        note: input.note,
        overridesDecisionId: input.overridesDecisionId,
        policyVersion: settings.policy.version,
      });
      // The override has a cycle id of its own; the selfie accepted is the one the overridden decision judged.
      const [overridden] = await sql<{ cycleId: string | null }[]>`
        select cycle_id as "cycleId" from kyc_decisions where id = ${input.overridesDecisionId}`;
      if (row.decision === 'PASS' && overridden?.cycleId) await acceptFace(input.userId, overridden.cycleId);
      logger.info(
        { userId: input.userId, decisionId: row.id, decision: row.decision, overrides: input.overridesDecisionId },
        'CS override recorded',
      );
      return { decisionId: row.id, decision: row.decision, reasons: row.reasons };
    },
  };
}
