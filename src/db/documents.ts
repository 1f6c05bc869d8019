/** id_documents, selfies and doc_scans: what was uploaded and what OCR read from it. */
import type { Sql } from './pool.ts';

type IdDocumentStatus = 'NEW' | 'OCR_DONE' | 'OCR_FAILED' | 'EXPIRED' | 'SUPERSEDED';

/** The id_documents row for an uploaded object, created if the upload did not come through the intake API. */
export async function upsertIdDocument(
  sql: Sql,
  row: { userId: number; key: string; docType: string },
): Promise<number> {
  const [document] = await sql<{ id: number }[]>`
    insert into id_documents (user_id, s3_key_original, doc_type)
    values (${row.userId}, ${row.key}, ${row.docType})
    on conflict (user_id, s3_key_original) do update set doc_type = excluded.doc_type
    returning id`;
  return (document as { id: number }).id;
}

/** The selfies row for an uploaded object; a liveness session given now is kept, one recorded earlier is not lost. */
export async function upsertSelfie(
  sql: Sql,
  row: { userId: number; key: string; livenessSessionId?: string },
): Promise<number> {
  const [selfie] = await sql<{ id: number }[]>`
    insert into selfies (user_id, s3_key, liveness_session_id)
    values (${row.userId}, ${row.key}, ${row.livenessSessionId ?? null})
    on conflict (user_id, s3_key) do update
      set liveness_session_id = coalesce(excluded.liveness_session_id, selfies.liveness_session_id)
    returning id`;
  return (selfie as { id: number }).id;
}

export interface DocScanRow {
  cycleId: string;
  idDocumentId: number;
  textractJson: unknown;
  parsedName: string | null;
  parsedDob: string | null;
  parsedExpiry: string | null;
  parserVersion: string;
  /** The OCR provider that read it. */
  provider: string;
}

/**
 * Records a scan and the document's new status in one transaction. A retried activity finds the scan already
 * there (one per cycle) and changes nothing.
 */
export async function recordScan(
  sql: Sql,
  scan: DocScanRow & { userId: number; documentStatus: IdDocumentStatus; docType: string | null },
): Promise<void> {
  await sql.begin(async (tx) => {
    // Nothing is written for an erased user; the lock orders this write and an erasure one after the other.
    const inserted = await tx`
      with live as (select id from users where id = ${scan.userId} and erased_at is null for share)
      insert into doc_scans (cycle_id, id_document_id, textract_json, parsed_name, parsed_dob, parsed_expiry,
                             parser_version, provider)
      select ${scan.cycleId}, ${scan.idDocumentId}, ${tx.json(scan.textractJson as never)}, ${scan.parsedName},
             ${scan.parsedDob}, ${scan.parsedExpiry}, ${scan.parserVersion}, ${scan.provider}
      from live
      on conflict (cycle_id) do nothing
      returning id`;
    if (inserted.length === 0) return;
    await tx`
      update id_documents
      set status = ${scan.documentStatus}, expiry_date = ${scan.parsedExpiry},
          doc_type = coalesce(${scan.docType}, doc_type)
      where id = ${scan.idDocumentId}`;
    // The newly scanned document becomes the user's current one; the expiry scan ignores the rest.
    await tx`
      update id_documents set status = 'SUPERSEDED'
      where user_id = ${scan.userId} and id <> ${scan.idDocumentId} and status <> 'SUPERSEDED'`;
  });
}

/** The name read from the cycle's document, for comparison with the register. */
export async function scannedName(sql: Sql, cycleId: string): Promise<string | null> {
  const [row] = await sql<{ parsedName: string | null }[]>`
    select parsed_name as "parsedName" from doc_scans where cycle_id = ${cycleId}`;
  return row?.parsedName ?? null;
}
