/**
 * The orchestration floor: a bare workflow with a verification's shape and nothing else. Two uploads arrive by
 * signal-with-start; then seven activities run as KycWorkflow runs them — begin, scan, then the face check alongside
 * the register branch (start the scraper, wait for its callback signal, read the result), decide, notify — and it
 * waits idle as KycWorkflow does. Its activities do nothing, it sets no timers and, unless asked to, upserts no
 * search attributes, so whatever KycWorkflow costs above it is ours.
 *
 * Asked to, it publishes search attributes as KycWorkflow does (patch fewer-actions-per-cycle): the start sets the
 * user's id, AWAITING_DOCUMENTS and PENDING (bench/flows.ts), and one upsert sets the decision's status, the register
 * and DECIDED; that tells how much of the difference publishing them is. The floor keeps the seven regular
 * activities of the seed's flow, where KycWorkflow now runs four of its steps as local activities: it is the same
 * verification orchestrated plainly, not the least any design could cost.
 */
import { condition, defineSignal, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { KycRegType, KycStage, KycStatus } from '../src/contract/search-attributes.ts';
import type { floorActivities } from './floor-activities.ts';

export const FLOOR_WORKFLOW_TYPE = 'FloorWorkflow';
export const floorUploadSignal = defineSignal<[{ kind: 'ID_DOCUMENT' | 'SELFIE' }]>('floorUpload');
export const floorCallbackSignal = defineSignal('floorCallback');

export interface FloorInput {
  upsertLikeKyc: boolean;
}

const {
  floorBeginCycle,
  floorScanDocument,
  floorCheckFace,
  floorRequestRegisterCheck,
  floorIngestRegisterResult,
  floorDecide,
  floorNotifyDecision,
} = proxyActivities<typeof floorActivities>({ startToCloseTimeout: '30s' });

export async function FloorWorkflow({ upsertLikeKyc }: FloorInput): Promise<void> {
  const uploads = new Set<string>();
  let calledBack = false;
  setHandler(floorUploadSignal, ({ kind }) => void uploads.add(kind));
  setHandler(floorCallbackSignal, () => {
    calledBack = true;
  });
  await floorBeginCycle();
  await condition(() => uploads.size === 2);
  await floorScanDocument();
  await Promise.all([
    floorCheckFace(),
    (async () => {
      await floorRequestRegisterCheck();
      await condition(() => calledBack);
      await floorIngestRegisterResult();
    })(),
  ]);
  await floorDecide();
  if (upsertLikeKyc) {
    upsertSearchAttributes([
      { key: KycRegType, value: 'GMC' },
      { key: KycStatus, value: 'VERIFIED' },
      { key: KycStage, value: 'DECIDED' },
    ]);
  }
  await floorNotifyDecision();
  // Idle until a re-upload, like a decided KycWorkflow; none ever comes.
  await condition(() => false);
}
