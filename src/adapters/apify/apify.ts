/**
 * Register look-ups through Apify actors, one configurable actor per register. Community actors' inputs differ and
 * change; each receives `{ registrationNumber }` plus the aliases below, which the known actors accept.
 */
import type { ApifyClient } from 'apify-client';
import type { RegType } from '../../domain/registers.ts';
import { PermanentAdapterError } from '../errors.ts';
import type { RegisterRun, RegisterScraper, RunStatus, RunWebhook } from './index.ts';

const WEBHOOK_EVENT_TYPES = ['ACTOR.RUN.SUCCEEDED', 'ACTOR.RUN.FAILED', 'ACTOR.RUN.ABORTED', 'ACTOR.RUN.TIMED_OUT'];

const RUN_INPUT: Record<RegType, (regNo: string) => Record<string, unknown>> = {
  GMC: (regNo) => ({ registrationNumber: regNo, gmcNumber: regNo }),
  NMC: (regNo) => ({ registrationNumber: regNo, pin: regNo }),
  GDC: (regNo) => ({ registrationNumber: regNo, gdcNumber: regNo }),
  GPC: (regNo) => ({ registrationNumber: regNo, gphcNumber: regNo }),
};

/** Apify's `{{variable}}` placeholders keep its default payload; `kyc` adds who the run was for. */
function payloadTemplate(tag: RunWebhook['tag']): string {
  return `{"userId": {{userId}}, "createdAt": {{createdAt}}, "eventType": {{eventType}}, "eventData": {{eventData}}, "resource": {{resource}}, "kyc": ${JSON.stringify(tag)}}`;
}

function toRegisterRun(run: { id: string; actId: string; status: string; defaultDatasetId: string }): RegisterRun {
  return { runId: run.id, actorId: run.actId, status: run.status as RunStatus, datasetId: run.defaultDatasetId };
}

export function createApifyRegisterScraper(
  client: ApifyClient,
  actors: Partial<Record<RegType, string>>,
): RegisterScraper {
  return {
    async startRun(regType, regNo, webhook) {
      const actorId = actors[regType];
      if (!actorId) throw new PermanentAdapterError('NOT_CONFIGURED', `no Apify actor configured for ${regType}`);
      const run = await client.actor(actorId).start(RUN_INPUT[regType](regNo), {
        ...(webhook
          ? {
              webhooks: [
                {
                  eventTypes: WEBHOOK_EVENT_TYPES as never,
                  requestUrl: webhook.requestUrl,
                  payloadTemplate: payloadTemplate(webhook.tag),
                  headersTemplate: JSON.stringify(webhook.headers),
                  idempotencyKey: webhook.idempotencyKey,
                },
              ],
            }
          : {}),
      });
      return toRegisterRun(run);
    },
    async getRun(runId, waitSecs) {
      const run = await client.run(runId).get({ waitForFinish: waitSecs });
      if (!run) throw new PermanentAdapterError('INVALID_REQUEST', `Apify has no run ${runId}`);
      return toRegisterRun(run);
    },
    async listItems(datasetId) {
      const page = await client.dataset(datasetId).listItems({ clean: true, limit: 1000 });
      return page.items;
    },
  };
}
