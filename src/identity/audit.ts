/** The audit trail: one append-only `audit_events` row per authenticated action. Nothing updates or deletes one. */
import type { Sql } from '../db/pool.ts';
import type { Identity } from './identity.ts';

export interface AuditEvent {
  identity: Identity;
  /** What was done, e.g. `POST /cs/cases/:userId/decision`. */
  action: string;
  /** The case (user) it concerned, if any. */
  userId?: number | undefined;
  /** The HTTP status it ended with. */
  status?: number | undefined;
  sourceAddress?: string | undefined;
  requestId?: string | undefined;
  /** Outcome details — ids and decisions, never document data. */
  detail?: Record<string, unknown> | undefined;
}

export async function audit(sql: Sql, event: AuditEvent): Promise<void> {
  const { identity } = event;
  await sql`
    insert into audit_events
      (actor_subject, actor_name, actor_via, actor_roles, action, user_id, status, source_address, request_id, detail)
    values (${identity.subject}, ${identity.displayName}, ${identity.via}, ${identity.roles}, ${event.action},
            ${event.userId ?? null}, ${event.status ?? null}, ${event.sourceAddress ?? null},
            ${event.requestId ?? null}, ${event.detail ? sql.json(event.detail as never) : null})`;
}

export interface AuditRow {
  id: number;
  occurredAt: Date;
  actorSubject: string;
  actorName: string;
  actorVia: string;
  action: string;
  userId: number | null;
  status: number | null;
  sourceAddress: string | null;
  detail: Record<string, unknown> | null;
}

export async function auditEventsForCase(sql: Sql, userId: number, limit = 200): Promise<AuditRow[]> {
  return await sql<AuditRow[]>`
    select id, occurred_at as "occurredAt", actor_subject as "actorSubject", actor_name as "actorName",
           actor_via as "actorVia", action, user_id as "userId", status, source_address as "sourceAddress", detail
    from audit_events where user_id = ${userId} order by id limit ${limit}`;
}
