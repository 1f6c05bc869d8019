/**
 * The orchestration floor: a bare workflow with a verification's shape and nothing else. Two uploads arrive by
 * signal-with-start; then seven activities run as KycWorkflow runs them — begin, scan, then the face check alongside
 * the register branch (start the scraper, wait for its callback signal, read the result), decide, notify — and it
 * waits idle as KycWorkflow does. Its activities do nothing, it sets no timers and, unless asked to, upserts no
 * search attributes, so whatever KycWorkflow costs above it is ours.
 *
 * Asked to, it upserts search attributes where KycWorkflow does (three times, with the same keys), which tells how
 * much of the difference those upserts are.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { condition, defineSignal, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { KycRegType, KycStage, KycStatus, KycUserId } from '../src/contract/search-attributes.ts';
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
  const upsert = (stage: string, others: SearchAttributeUpdatePair[] = []) => {
    if (upsertLikeKyc) upsertSearchAttributes([...others, { key: KycStage, value: stage }]);
  };

  await floorBeginCycle();
  upsert('AWAITING_DOCUMENTS', [
    { key: KycUserId, value: 1 },
    { key: KycRegType, value: 'GMC' },
    { key: KycStatus, value: 'PENDING' },
  ]);
  await condition(() => uploads.size === 2);
  await floorScanDocument();
  upsert('CHECKING');
  await Promise.all([
    floorCheckFace(),
    (async () => {
      await floorRequestRegisterCheck();
      await condition(() => calledBack);
      await floorIngestRegisterResult();
    })(),
  ]);
  await floorDecide();
  upsert('DECIDED', [{ key: KycStatus, value: 'VERIFIED' }]);
  await floorNotifyDecision();
  // Idle until a re-upload, like a decided KycWorkflow; none ever comes.
  await condition(() => false);
}
