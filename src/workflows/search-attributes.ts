/**
 * Search attributes stay plain text in Temporal's visibility store, so they only ever hold ids, statuses and the
 * register type — never PII. Ops filter on them in the Web UI, e.g. `KycStatus = "MANUAL_REVIEW"`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const KycStatus = defineSearchAttributeKey('KycStatus', SearchAttributeType.KEYWORD);
export const KycStage = defineSearchAttributeKey('KycStage', SearchAttributeType.KEYWORD);
export const KycRegType = defineSearchAttributeKey('KycRegType', SearchAttributeType.KEYWORD);
export const KycUserId = defineSearchAttributeKey('KycUserId', SearchAttributeType.INT);

export const kycSearchAttributes = [KycStatus, KycStage, KycRegType, KycUserId];
