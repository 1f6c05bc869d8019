/**
 * Register look-ups through Apify actors, one configurable actor per register. Community actors' inputs differ and
 * change; each receives `{ registrationNumber }` plus the aliases below, which the known actors accept.
 */
import { ApifyApiError, type ApifyClient } from 'apify-client';
import type { RegType } from '../../domain/registers.ts';
import { isPermanentHttpStatus, PermanentAdapterError } from '../errors.ts';
import type { RegisterRun, RegisterScraper, RunStatus, RunWebhook } from './index.ts';

const WEBHOOK_EVENT_TYPES = ['ACTOR.RUN.SUCCEEDED', 'ACTOR.RUN.FAILED', 'ACTOR.RUN.ABORTED', 'ACTOR.RUN.TIMED_OUT'];

const RUN_INPUT: Record<RegType, (regNo: string) => Record<string, unknown>> = {
  GMC: (regNo) => ({ registrationNumber: regNo, gmcNumber: regNo }),
  NMC: (regNo) => ({ registrationNumber: regNo, pin: regNo }),
  GDC: (regNo) => ({ registrationNumber: regNo, gdcNumber: regNo }),
  GPC: (regNo) => ({ registrationNumber: regNo, gphcNumber: regNo }),
};

/**
 * Carried in every run's input so that a start which crashed before it was recorded can be found again. Actors ignore
 * input fields they do not know; one whose input schema forbids extra fields needs this field added to it.
 */
const REQUEST_ID_FIELD = 'kycRequestId';
/** How many of an actor's newest runs a search for a lost start looks through. */
const FIND_RUN_SCAN_LIMIT = 50;

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
    async startRun(regType, regNo, webhook, requestId) {
      const actorId = actors[regType];
      if (!actorId) throw new PermanentAdapterError('NOT_CONFIGURED', `no Apify actor configured for ${regType}`);
      const input = { ...RUN_INPUT[regType](regNo), [REQUEST_ID_FIELD]: requestId };
      const run = await refusalsArePermanent(() =>
        client.actor(actorId).start(input, {
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
        }),
      );
      return toRegisterRun(run);
    },
    async findRun(regType, requestId, since) {
      const actorId = actors[regType];
      if (!actorId) return null;
      const runs = await client.actor(actorId).runs().list({ desc: true, limit: FIND_RUN_SCAN_LIMIT });
      for (const run of runs.items) {
        if (run.startedAt < since) break;
        const input = await client.keyValueStore(run.defaultKeyValueStoreId).getRecord('INPUT');
        const value = input?.value as Record<string, unknown> | undefined;
        if (value?.[REQUEST_ID_FIELD] === requestId) {
          return toRegisterRun({ ...run, defaultDatasetId: run.defaultDatasetId });
        }
      }
      return null;
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

/** Apify's 4xx answers (other than 408 and 429) to a start, such as an unknown or forbidden actor, never change. */
async function refusalsArePermanent<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApifyApiError && isPermanentHttpStatus(error.statusCode)) {
      throw new PermanentAdapterError('REFUSED', `Apify refused the run: HTTP ${error.statusCode} ${error.type ?? ''}`);
    }
    throw error;
  }
}
