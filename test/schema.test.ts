import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

// Every column of the seed's ER diagram, with the type the diagram gives it.
const seedColumns: Record<string, Record<string, string>> = {
  users: {
    id: 'bigint',
    email: 'character varying(254)',
    reg_no: 'character varying(50)',
    reg_type: 'reg_type_enum',
    status: 'user_status_enum',
    created_at: 'timestamp with time zone',
  },
  id_documents: {
    id: 'bigint',
    user_id: 'bigint',
    s3_key_original: 'text',
    doc_type: 'character varying(40)',
    status: 'id_doc_status_enum',
    expiry_date: 'date',
    created_at: 'timestamp with time zone',
  },
  selfies: { id: 'bigint', user_id: 'bigint', s3_key: 'text', created_at: 'timestamp with time zone' },
  doc_scans: {
    id: 'bigint',
    id_document_id: 'bigint',
    textract_json: 'jsonb',
    parsed_name: 'text',
    parsed_dob: 'date',
    parsed_expiry: 'date',
    parser_version: 'character varying(40)',
    completed_at: 'timestamp with time zone',
  },
  face_checks: {
    id: 'bigint',
    user_id: 'bigint',
    selfie_id: 'bigint',
    id_document_id: 'bigint',
    match_score: 'numeric',
    liveness_pass: 'boolean',
    rekognition_job_id: 'character varying(100)',
    completed_at: 'timestamp with time zone',
  },
  reg_checks: {
    id: 'bigint',
    user_id: 'bigint',
    snapshot_date: 'date',
    matched_name: 'boolean',
    matched_status: 'boolean',
    raw_response_json: 'jsonb',
    checked_at: 'timestamp with time zone',
  },
  kyc_decisions: {
    id: 'bigint',
    user_id: 'bigint',
    decision: 'kyc_decision_enum',
    reasons: 'text[]',
    decided_at: 'timestamp with time zone',
  },
};

const seedEnums: Record<string, string[]> = {
  reg_type_enum: ['GDC', 'NMC', 'GMC', 'GPC'],
  user_status_enum: ['PENDING', 'MANUAL_REVIEW', 'VERIFIED', 'REJECTED', 'EXPIRED'],
  id_doc_status_enum: ['NEW', 'OCR_DONE', 'OCR_FAILED', 'EXPIRED', 'SUPERSEDED'],
  kyc_decision_enum: ['PASS', 'FAIL', 'MANUAL_REVIEW'],
};

const seedForeignKeys = [
  'id_documents.user_id -> users.id',
  'selfies.user_id -> users.id',
  'doc_scans.id_document_id -> id_documents.id',
  'face_checks.user_id -> users.id',
  'face_checks.selfie_id -> selfies.id',
  'face_checks.id_document_id -> id_documents.id',
  'reg_checks.user_id -> users.id',
  'kyc_decisions.user_id -> users.id',
];

describe('migrated schema', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it.each(Object.entries(seedColumns))('has table %s with every seed column', async (table, columns) => {
    const rows = await db.sql<{ column_name: string; type: string }[]>`
      select a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type
      from pg_attribute a
      where a.attrelid = ${`public.${table}`}::regclass and a.attnum > 0 and not a.attisdropped`;
    const actual = Object.fromEntries(rows.map((row) => [row.column_name, row.type]));
    expect(actual).toMatchObject(columns);
  });

  it.each(Object.entries(seedEnums))('has enum %s with at least the seed values', async (name, values) => {
    const rows = await db.sql<{ label: string }[]>`
      select e.enumlabel as label from pg_enum e join pg_type t on t.oid = e.enumtypid
      where t.typname = ${name} order by e.enumsortorder`;
    expect(rows.map((row) => row.label)).toEqual(expect.arrayContaining(values));
  });

  it('has every foreign key of the ER diagram', async () => {
    const rows = await db.sql<{ fk: string }[]>`
      select format('%s.%s -> %s.%s', c.conrelid::regclass, a.attname, c.confrelid::regclass, af.attname) as fk
      from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      join pg_attribute af on af.attrelid = c.confrelid and af.attnum = c.confkey[1]
      where c.contype = 'f'`;
    expect(rows.map((row) => row.fk)).toEqual(expect.arrayContaining(seedForeignKeys));
  });

  it('keeps one scan per verification cycle, whichever document a second write names', async () => {
    const [user] = await db.sql<{ id: number }[]>`
      insert into users (email, reg_no, reg_type) values ('one-scan@example.com', '7654321', 'GMC') returning id`;
    const documents = await db.sql<{ id: number }[]>`
      insert into id_documents (user_id, s3_key_original, doc_type)
      values (${user?.id as number}, 'kyc-raw/1/a-passport.jpg', 'passport'),
             (${user?.id as number}, 'kyc-raw/1/b-passport.jpg', 'passport')
      returning id`;
    const cycleId = '6f1c0e52-8d43-4d7a-9a7e-3c1b2a4d5e6f';
    const scan = (idDocumentId: number) => db.sql`
      insert into doc_scans (cycle_id, id_document_id, textract_json, parser_version)
      values (${cycleId}, ${idDocumentId}, '{}', 'test')`;
    await scan(documents[0]?.id as number);
    await expect(scan(documents[1]?.id as number)).rejects.toThrow(/doc_scans_cycle_key/);
  });

  it('answers the expiry scan from an index', async () => {
    await db.sql`set enable_seqscan = off`;
    const plan = await db.sql<{ 'QUERY PLAN': string }[]>`
      explain select user_id, expiry_date from id_documents
      where expiry_date < current_date + interval '90 days' and status <> 'SUPERSEDED'`;
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/id_documents_expiry_idx/);
  });
});
