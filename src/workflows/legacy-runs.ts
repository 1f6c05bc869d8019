/**
 * Runs recorded before the versioning procedure existed (README, "Changing workflow code"). Commit c4e39df moved and
 * removed search-attribute upserts without `patched()`, so runs recorded before it and after it both lack a marker,
 * yet differ from their first command. Nothing the workflow sees tells them apart (the worker's build id reaches
 * replay only under Worker Versioning, which those workers did not use) except when the run started: before
 * c4e39df's code first ran, every run was worked by code that upserted at every stage.
 *
 * c4e39df's code first ran between 18:45:36 UTC on 2026-11-25 (the commit before it, a216a9e) and 18:58:02 (the
 * start of the history it recorded). A deployment that rolled that change out later sets this to the moment its
 * rollout finished, with no worker of older code left. This constant never moves again: every change since goes
 * behind `patched()`.
 */
const RESTING_STAGE_UPSERTS_FROM = Date.parse('2026-11-25T18:50:00Z');

/** Whether a run that started at `runStartTime` upserts its search attributes at every stage, as 210d329 did. */
export function upsertsAtEveryStage(runStartTime: Date): boolean {
  return runStartTime.getTime() < RESTING_STAGE_UPSERTS_FROM;
}
