/**
 * The Web UI list queries ops keep as saved views (README "Ops in the Web UI"). Workflows stay open by design, so the
 * Web UI's own Status column says RUNNING for every case; these filter on the search attributes instead. Temporal's
 * list filter has no relative time, so the dated ones are built for a moment (`now`) and re-saved when they go stale.
 */
import { kycSearchAttributes } from './search-attributes.ts';

export interface OpsQuery {
  name: string;
  query: string;
  /** Set when the query names a search attribute this branch does not register yet. */
  dependsOn?: string;
}

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

export function opsQueries(now: Date): OpsQuery[] {
  return [
    { name: 'Pending review', query: 'KycStage="AWAITING_REVIEW"' },
    { name: 'Needs attention', query: 'KycStage="NEEDS_ATTENTION"' },
    { name: 'Failed this week', query: `KycStatus="REJECTED" AND StartTime > "${daysBefore(now, 7)}"` },
    {
      name: 'Not re-checked in 48 h',
      query: `KycStatus="VERIFIED" AND KycRegisterCheckedAt < "${daysBefore(now, 2)}"`,
      ...(registered.has('KycRegisterCheckedAt')
        ? {}
        : { dependsOn: 'the KycRegisterCheckedAt search attribute of issue 15 (register monitoring)' }),
    },
  ];
}

const registered = new Set(kycSearchAttributes.map((key) => key.name));
