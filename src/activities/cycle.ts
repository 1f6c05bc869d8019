/** The start of a verification cycle, and its end when the documents never came. */
import { ApplicationFailure } from '@temporalio/activity';
import type { BeginCycleResult, CycleRef, RecordedDecision } from '../contract/activities.ts';
import { recordCycleStart } from '../db/cycles.ts';
import { recordDecision } from '../db/decisions.ts';
import { findUser } from '../db/users.ts';
import type { ActivityDeps } from './deps.ts';

export function createCycleActivities({ sql, settings }: ActivityDeps) {
  return {
    async beginCycle({ userId, cycleId }: CycleRef): Promise<BeginCycleResult> {
      const user = await findUser(sql, userId);
      if (!user) throw ApplicationFailure.nonRetryable(`user ${userId} does not exist`, 'UnknownUser');
      // So the status read model knows the cycle before its first scan.
      await recordCycleStart(sql, { userId, cycleId });
      return {
        regType: user.regType,
        userStatus: user.status,
        settings: settings.cycle,
        uploads: settings.uploads,
        providers: settings.providers,
        consoleCaseUrl: `${settings.links.csBaseUrl}/console/cases/${userId}`,
      };
    },

    async closeWithoutDocuments({ userId, cycleId }: CycleRef): Promise<RecordedDecision> {
      const row = await recordDecision(sql, {
        userId,
        cycleId,
        decision: 'FAIL',
        reasons: ['DOCUMENTS_NOT_RECEIVED'],
        source: 'AUTOMATIC',
        policyVersion: settings.policy.version,
      });
      return { decisionId: row.id, decision: row.decision, reasons: row.reasons };
    },
  };
}
