/** `createActivities(deps)`: every KYC activity, bound to the clients it is given. */
import type { ExpiryActivities, KycActivities } from '../contract/activities.ts';
import type { ErasureActivities } from '../contract/erasure-workflow.ts';
import type { RegisterMonitorActivities } from '../contract/monitor-workflow.ts';
import { createAttentionActivities } from './attention.ts';
import { createCheckFaceActivities } from './check-face.ts';
import { createCycleActivities } from './cycle.ts';
import { createDecideActivities } from './decide.ts';
import type { ActivityDeps } from './deps.ts';
import { createErasureActivities } from './erasure.ts';
import { createExpiryActivities } from './expiry.ts';
import { heartbeating } from './heartbeat.ts';
import { createMonitorActivities } from './monitor.ts';
import { createNotifyActivities } from './notify.ts';
import { createRegisterActivities } from './register.ts';
import { createScanDocumentActivities } from './scan-document.ts';

export function createActivities(
  deps: ActivityDeps,
): KycActivities & ExpiryActivities & RegisterMonitorActivities & ErasureActivities {
  return heartbeating({
    ...createCycleActivities(deps),
    ...createScanDocumentActivities(deps),
    ...createCheckFaceActivities(deps),
    ...createRegisterActivities(deps),
    ...createDecideActivities(deps),
    ...createNotifyActivities(deps),
    ...createExpiryActivities(deps),
    ...createAttentionActivities(deps),
    ...createMonitorActivities(deps),
    ...createErasureActivities(deps),
  });
}
