/**
 * Search attributes stay plain text in Temporal's visibility store, so they only ever hold ids, statuses and the
 * register type — never PII. Ops filter on them in the Web UI, e.g. `KycStatus = "MANUAL_REVIEW"`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const KycStatus = defineSearchAttributeKey('KycStatus', SearchAttributeType.KEYWORD);
export const KycStage = defineSearchAttributeKey('KycStage', SearchAttributeType.KEYWORD);
export const KycRegType = defineSearchAttributeKey('KycRegType', SearchAttributeType.KEYWORD);
export const KycUserId = defineSearchAttributeKey('KycUserId', SearchAttributeType.INT);

/**
 * An expiry pass's progress so far, e.g. `KycExpiryBadData = true` lists the passes that met bad records. Its other
 * counts are in the `expiryProgress` query: a SQL visibility store (the dev server's) allows only three Int attributes.
 */
export const KycExpiryReminders = defineSearchAttributeKey('KycExpiryReminders', SearchAttributeType.INT);
export const KycExpiryExpired = defineSearchAttributeKey('KycExpiryExpired', SearchAttributeType.INT);
export const KycExpiryBadData = defineSearchAttributeKey('KycExpiryBadData', SearchAttributeType.BOOL);

export const kycSearchAttributes = [
  KycStatus,
  KycStage,
  KycRegType,
  KycUserId,
  KycExpiryReminders,
  KycExpiryExpired,
  KycExpiryBadData,
];
