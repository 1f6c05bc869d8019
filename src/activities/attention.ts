/**
 * A case whose step gave up (stage NEEDS_ATTENTION): ops hear of it once per incident, by email and an error log
 * line, with the case's links. The ops_alerts row is both the outbox for that email and the record of the incident.
 */
import type { AlertOpsInput } from '../contract/activities.ts';
import { kycWorkflowId } from '../contract/kyc-workflow.ts';
import type { ActivityDeps } from './deps.ts';

export function createAttentionActivities({ sql, email, logger, settings }: ActivityDeps) {
  return {
    async alertOps({ userId, cycleId, step, reason, incident }: AlertOpsInput): Promise<void> {
      const [row] = await sql<{ id: number; sentAt: Date | null }[]>`
        insert into ops_alerts (user_id, cycle_id, step, incident, reason)
        values (${userId}, ${cycleId}, ${step}, ${incident}, ${reason})
        on conflict (cycle_id, incident) do update set reason = excluded.reason
        returning id, sent_at as "sentAt"`;
      if (!row || row.sentAt) return;
      const workflowId = kycWorkflowId(userId);
      const { temporalUiUrl, namespace } = settings.links;
      logger.error({ userId, cycleId, step, incident }, 'a step gave up: the case needs attention');
      await email.send({
        from: settings.email.from,
        to: settings.email.opsAddress,
        subject: `KYC case ${workflowId} needs attention: ${step} gave up`,
        text: [
          `The step ${step} of case ${workflowId} (user ${userId}) used up its retries or met an error no retry changes.`,
          `Reason: ${reason}`,
          '',
          'When the cause is fixed, resume it with the retryStep update (README, "When a step gives up").',
          `Workflow: ${temporalUiUrl}/namespaces/${namespace}/workflows/${workflowId}`,
        ].join('\n'),
        messageId: `ops-alert-${row.id}@kyc`,
      });
      await sql`update ops_alerts set sent_at = now() where id = ${row.id}`;
    },
  };
}
