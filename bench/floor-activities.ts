/** The floor's activities: each returns at once, except that starting the register check also calls back. */
import { Context, log } from '@temporalio/activity';
import { floorCallbackSignal } from './floor-workflow.ts';

export const floorActivities = {
  async floorBeginCycle() {},
  async floorScanDocument() {},
  async floorCheckFace() {},
  /** The scraper's webhook, delivered at once: an outside caller signals while the activity has already returned. */
  async floorRequestRegisterCheck() {
    const { client, info } = Context.current();
    client.workflow
      .getHandle(info.workflowExecution?.workflowId ?? '')
      .signal(floorCallbackSignal)
      .catch((error: unknown) => log.error('floor callback failed', { error }));
  },
  async floorIngestRegisterResult() {},
  async floorDecide() {},
  async floorNotifyDecision() {},
};

/** The activity whose completion ends a verification, on either side. */
export const LAST_ACTIVITIES: ReadonlySet<string> = new Set(['notifyDecision', 'floorNotifyDecision']);
/** The activity whose completion is the decision: the kyc_decisions row is committed when `decide` returns. */
export const DECIDE_ACTIVITIES: ReadonlySet<string> = new Set(['decide', 'floorDecide']);
