/**
 * Notifications, each sent once per decision: PASS and FAIL to the product (signed webhook and/or SNS), MANUAL_REVIEW
 * to CS by email. Nothing from the documents goes out: ids, the decision and its reason codes only.
 */

import type { RemindCsInput, RequestNewDocumentsInput } from '../contract/activities.ts';
import { kycWorkflowId } from '../contract/kyc-workflow.ts';
import { linksOf } from '../db/account-links.ts';
import { awaitNewDocuments } from '../db/console.ts';
import { getDecision, sendOnce } from '../db/decisions.ts';
import { REASON_EXPLANATIONS } from '../domain/reasons.ts';
import type { ActivityDeps } from './deps.ts';

export function createNotifyActivities({ sql, email, productChannels, settings }: ActivityDeps) {
  const caseLinks = (userId: number) => {
    const workflowId = kycWorkflowId(userId);
    const ui = settings.links;
    return [
      `Review it: ${ui.csBaseUrl}/cs/cases/${userId}`,
      `Workflow: ${ui.temporalUiUrl}/namespaces/${ui.namespace}/workflows/${workflowId}`,
    ].join('\n');
  };

  /** Each other account this case is linked to (same document, identity, face or registration), with its links. */
  async function linkedAccounts(userId: number): Promise<string[]> {
    const links = await linksOf(sql, userId);
    if (links.length === 0) return [];
    return [
      '',
      'Linked accounts (look at both):',
      ...links.map((link) => {
        const other = link.userId === userId ? link.otherUserId : link.userId;
        return `- user ${other} (${link.reason}): ${settings.links.csBaseUrl}/cs/cases/${other}`;
      }),
    ];
  }

  async function emailCs(idempotencyKey: string, decisionId: number, subject: string, intro: string) {
    const decision = await getDecision(sql, decisionId);
    const linked = await linkedAccounts(decision.userId);
    await sendOnce(sql, { idempotencyKey, decisionId, channel: 'cs-email' }, () =>
      email.send({
        from: settings.email.from,
        to: settings.email.csAddress,
        subject,
        text: [
          intro,
          '',
          `Case: ${kycWorkflowId(decision.userId)} (user ${decision.userId}, decision ${decision.id})`,
          `Reasons: ${decision.reasons.join(', ') || '(none)'}`,
          ...decision.reasons.map((reason) => `- ${reason}: ${REASON_EXPLANATIONS[reason]}`),
          ...linked,
          '',
          caseLinks(decision.userId),
        ].join('\n'),
        messageId: `${idempotencyKey.replaceAll('/', '.')}@kyc`,
      }),
    );
  }

  return {
    async notifyDecision({ decisionId }: { decisionId: number }): Promise<void> {
      const decision = await getDecision(sql, decisionId);
      if (decision.decision === 'MANUAL_REVIEW') {
        await emailCs(
          `decision-${decisionId}/cs-email`,
          decisionId,
          `KYC case ${decision.userId} needs manual review`,
          'An automatic KYC check could not decide this case.',
        );
        return;
      }
      const event = {
        type: 'kyc.decision',
        decisionId: decision.id,
        userId: decision.userId,
        decision: decision.decision,
        reasons: decision.reasons,
        source: decision.source,
        ...(decision.reviewer ? { reviewer: decision.reviewer } : {}),
        decidedAt: decision.decidedAt.toISOString(),
      };
      for (const channel of productChannels) {
        const idempotencyKey = `decision-${decisionId}/${channel.name}`;
        await sendOnce(sql, { idempotencyKey, decisionId, channel: channel.name }, () =>
          channel.publish(event, idempotencyKey),
        );
      }
    },

    /**
     * The review ends in a request for new documents: the user leaves the review queue (PENDING until the upload
     * starts a new cycle), the reviewed decision records what was asked for (for the status read model), and the
     * product is told what to ask for, with CS's message, once per review.
     */
    async requestNewDocuments(input: RequestNewDocumentsInput): Promise<void> {
      await awaitNewDocuments(sql, { userId: input.userId, decisionId: input.decisionId, documents: input.documents });
      const event = {
        type: 'kyc.documents_requested',
        userId: input.userId,
        decisionId: input.decisionId,
        documents: input.documents,
        message: input.message,
        requestedBy: input.reviewer,
      };
      for (const channel of productChannels) {
        const idempotencyKey = `decision-${input.decisionId}/documents-requested/${channel.name}`;
        await sendOnce(sql, { idempotencyKey, decisionId: input.decisionId, channel: channel.name }, () =>
          channel.publish(event, idempotencyKey),
        );
      }
    },

    async remindCs({ decisionId, reminder }: RemindCsInput): Promise<void> {
      const decision = await getDecision(sql, decisionId);
      await emailCs(
        `decision-${decisionId}/cs-reminder-${reminder}`,
        decisionId,
        `Reminder ${reminder}: KYC case ${decision.userId} still awaits manual review`,
        'This case has been waiting for a CS decision longer than the review target.',
      );
    },
  };
}
