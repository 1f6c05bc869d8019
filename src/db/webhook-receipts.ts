/**
 * Apify webhook deliveries this service has handed on. A delivery is claimed first and marked handed off after, so
 * that two copies arriving at once are handed on once, and a copy whose request died halfway is not lost.
 */
import type { Sql } from './pool.ts';

/** A claim older than this belongs to a request that died before handing the delivery on; a retry may take it. */
const CLAIM_EXPIRY_SECONDS = 60;

export type DeliveryClaim = 'claimed' | 'handed-off' | 'claimed-elsewhere';

/** Claims `deliveryKey` for this request, unless it was handed on already or another live request holds it. */
export async function claimDelivery(sql: Sql, deliveryKey: string): Promise<DeliveryClaim> {
  const [claimed] = await sql`
    insert into webhook_receipts (delivery_key) values (${deliveryKey})
    on conflict (delivery_key) do update set claimed_at = now()
      where webhook_receipts.handed_off_at is null
        and webhook_receipts.claimed_at < now() - make_interval(secs => ${CLAIM_EXPIRY_SECONDS})
    returning id`;
  if (claimed) return 'claimed';
  const [receipt] = await sql<{ handedOff: boolean }[]>`
    select handed_off_at is not null as "handedOff" from webhook_receipts where delivery_key = ${deliveryKey}`;
  return receipt?.handedOff ? 'handed-off' : 'claimed-elsewhere';
}

export async function markHandedOff(sql: Sql, deliveryKey: string): Promise<void> {
  await sql`update webhook_receipts set handed_off_at = now() where delivery_key = ${deliveryKey}`;
}

/** Gives a claim up after a failed hand-off, so that the sender's retry is handed on rather than taken for a replay. */
export async function releaseClaim(sql: Sql, deliveryKey: string): Promise<void> {
  await sql`delete from webhook_receipts where delivery_key = ${deliveryKey} and handed_off_at is null`;
}
