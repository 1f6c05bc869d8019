/**
 * Search attributes stay plain text in Temporal's visibility store, so they only ever hold ids, statuses and the
 * register type — never PII. Ops filter on them in the Web UI, e.g. `KycStatus = "MANUAL_REVIEW"`.
 */
import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';

export const KycStatus = defineSearchAttributeKey('KycStatus', SearchAttributeType.KEYWORD);
export const KycStage = defineSearchAttributeKey('KycStage', SearchAttributeType.KEYWORD);
export const KycRegType = defineSearchAttributeKey('KycRegType', SearchAttributeType.KEYWORD);
export const KycUserId = defineSearchAttributeKey('KycUserId', SearchAttributeType.INT);

/**
 * An expiry pass's progress so far, e.g. `KycExpiryBadData = true` lists the passes that met bad records. Its other
 * counts are in the `expiryProgress` query: a SQL visibility store (the dev server's) allows only three Int attributes.
 */
/**
 * What a KycWorkflow is started with. Attributes set at the start cost no Temporal Cloud Action, unlike the workflow's
 * upserts: a new case is findable as `KycStage = "AWAITING_DOCUMENTS"` from the moment it starts.
 */
export function kycStartSearchAttributes(userId: number): SearchAttributePair[] {
  return [
    { key: KycUserId, value: userId },
    { key: KycStage, value: 'AWAITING_DOCUMENTS' },
    { key: KycStatus, value: 'PENDING' },
  ];
}

export const KycExpiryReminders = defineSearchAttributeKey('KycExpiryReminders', SearchAttributeType.INT);
export const KycExpiryExpired = defineSearchAttributeKey('KycExpiryExpired', SearchAttributeType.INT);
export const KycExpiryBadData = defineSearchAttributeKey('KycExpiryBadData', SearchAttributeType.BOOL);

/**
 * Register monitoring, on each pass and each register's sweep. `KycRegisterSource` lists `<REG>:<KIND>` and
 * `<REG>:<HEALTH>` for each register a run covers, plus `NO_WORKING_SOURCE` when one of them has no working source:
 * `KycRegisterSource = "NO_WORKING_SOURCE"`, `KycRegisterSource = "NMC:NOT_CONFIGURED"`. `KycRegisterCheckedAt` is
 * when the register (on a pass: the least recent of its registers) last answered a whole pass. A SQL visibility
 * store allows three attributes per type (three Keyword lists, three Datetimes): these take one of each. They sit on
 * the monitor's runs, not on every KycWorkflow: a per-user attribute would cost a signal and an upsert per user per
 * day (6 million Actions a month at 100,000 workers); per-user staleness is the sweep's `notRecheckedIn48h`.
 */
export const KycRegisterSource = defineSearchAttributeKey('KycRegisterSource', SearchAttributeType.KEYWORD_LIST);
export const KycRegisterCheckedAt = defineSearchAttributeKey('KycRegisterCheckedAt', SearchAttributeType.DATETIME);

export const kycSearchAttributes = [
  KycStatus,
  KycStage,
  KycRegType,
  KycUserId,
  KycExpiryReminders,
  KycExpiryExpired,
  KycExpiryBadData,
  KycRegisterSource,
  KycRegisterCheckedAt,
];
