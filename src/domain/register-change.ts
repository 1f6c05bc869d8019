/**
 * Register monitoring's two pure decisions: whether a fresh register record differs from the record behind the
 * user's current decision in a way that matters, and what the user's decision becomes when it does.
 */
import { decide } from './decision.ts';
import { matchNames } from './names.ts';
import type { CheckOutcomes, KycDecision, RegisterOutcome } from './outcomes.ts';
import { type DecisionPolicy, failsUnder } from './policy.ts';
import { FAIL_REASONS, REVIEW_REASONS, type ReasonCode } from './reasons.ts';
import type { RegisterRecord, RegisterStanding } from './registers.ts';

/**
 * A change that matters, each a reason to decide again:
 * - SUSPENDED, REMOVED (erased or removed), NOT_LICENSED (lapsed, without a licence): the standing became one that FAILs;
 * - NEW_RESTRICTIONS: conditions, undertakings, warnings or sanctions the earlier record did not show;
 * - NAME_CHANGED: the register shows another name than the one the decision rested on;
 * - NOT_FOUND: the number is no longer on the register.
 */
export const REGISTER_CHANGES = [
  'SUSPENDED',
  'REMOVED',
  'NOT_LICENSED',
  'NEW_RESTRICTIONS',
  'NAME_CHANGED',
  'NOT_FOUND',
] as const;
export type RegisterChange = (typeof REGISTER_CHANGES)[number];

const ADVERSE_STANDINGS: Partial<Record<RegisterStanding, RegisterChange>> = {
  SUSPENDED: 'SUSPENDED',
  REMOVED: 'REMOVED',
  NOT_LICENSED: 'NOT_LICENSED',
  NOT_FOUND: 'NOT_FOUND',
};

/** A restriction as compared: case, spacing and punctuation do not make a new one. */
function restrictionKey(restriction: string): string {
  return restriction
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * The changes that matter between `baseline` (the record behind the current decision; null when that decision had
 * none, e.g. the register could not be reached) and `fresh`. Anything not listed — a new address, other status
 * wording for the same standing, restrictions lifted, a return to good standing — is not a change that matters.
 * Without a baseline only an adverse standing or restrictions count: a name has nothing to differ from.
 */
export function registerChanges(baseline: RegisterRecord | null, fresh: RegisterRecord): RegisterChange[] {
  const changes = new Set<RegisterChange>();
  const adverse = ADVERSE_STANDINGS[fresh.standing];
  if (adverse && baseline?.standing !== fresh.standing) changes.add(adverse);
  const known = new Set((baseline?.restrictions ?? []).map(restrictionKey));
  const newRestriction = fresh.restrictions.some((restriction) => !known.has(restrictionKey(restriction)));
  // A standing that turned restricted through its wording alone ("Conditions of practice order") is new as well.
  const newlyRestricted =
    fresh.standing === 'REGISTERED_WITH_RESTRICTIONS' && baseline?.standing !== 'REGISTERED_WITH_RESTRICTIONS';
  if (newRestriction || newlyRestricted) changes.add('NEW_RESTRICTIONS');
  if (baseline?.fullName && fresh.fullName && matchNames(baseline.fullName, fresh.fullName) !== 'EXACT') {
    changes.add('NAME_CHANGED');
  }
  return REGISTER_CHANGES.filter((change) => changes.has(change));
}

export interface CurrentDecision {
  decision: KycDecision;
  source: 'AUTOMATIC' | 'CS';
}

const REASON_ORDER: readonly ReasonCode[] = [...FAIL_REASONS, ...REVIEW_REASONS];

const REGISTER_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'REGISTER_SUSPENDED',
  'REGISTER_REMOVED',
  'REGISTER_NOT_LICENSED',
  'REGISTER_RESTRICTIONS',
  'REGISTER_NOT_FOUND',
  'REGISTER_NAME_MISMATCH',
  'REGISTER_NAME_UNVERIFIED',
  'REGISTER_TIMEOUT',
  'REGISTER_ERROR',
]);

/**
 * The decision after a register change, under the same policy as a verification: the stored document and face
 * outcomes with the fresh register outcome. FAIL for a suspension, erasure or lapse; MANUAL_REVIEW for new
 * restrictions, a number no longer found, or a changed name (REGISTER_NAME_MISMATCH: the register's name is not the
 * one the decision rested on, even where it still matches the document). Where CS had passed the case, what CS
 * accepted about the document and face stands: only the register's reasons count.
 */
export function decideOnRegisterChange(
  stored: CheckOutcomes,
  register: RegisterOutcome,
  changes: readonly RegisterChange[],
  current: CurrentDecision,
  policy: DecisionPolicy,
): { decision: KycDecision; reasons: ReasonCode[] } {
  const verdict = decide({ ...stored, register }, policy);
  const csPassed = current.source === 'CS' && current.decision === 'PASS';
  let reasons = csPassed ? verdict.reasons.filter((reason) => REGISTER_REASONS.has(reason)) : verdict.reasons;
  if (changes.includes('NAME_CHANGED') && !reasons.includes('REGISTER_NAME_MISMATCH')) {
    reasons = REASON_ORDER.filter((reason) => reason === 'REGISTER_NAME_MISMATCH' || reasons.includes(reason));
  }
  if (reasons.length === 0) return { decision: 'PASS', reasons };
  return { decision: reasons.some((reason) => failsUnder(policy, reason)) ? 'FAIL' : 'MANUAL_REVIEW', reasons };
}

/** A batch at least this large is judged on the share of its numbers the register did not find. */
const PLAUSIBILITY_MIN_BATCH = 10;
const MAX_NOT_FOUND_SHARE = 0.5;

/**
 * Whether a batch's answer is implausible as a register's: no entry at all for a list of numbers from an actor (one
 * that ignores `registrationNumbers` answers so), or most of a sizeable batch not found (a wrong or truncated file).
 * Such a batch fails, and the source shows FAILING, rather than sending every worker in it to review as NOT_FOUND.
 */
export function implausibleBatch(batch: { numbers: number; notFound: number; itemsReturned: number | null }): boolean {
  if (batch.itemsReturned === 0 && batch.numbers >= 2) return true;
  return batch.numbers >= PLAUSIBILITY_MIN_BATCH && batch.notFound / batch.numbers > MAX_NOT_FOUND_SHARE;
}
