/**
 * One verification, started the way the service's doors start it, on either side of the comparison: KycWorkflow
 * through the contract's signal-with-start (what the intake API and the S3 bridge send for each upload), or the floor
 * through the same two signal-with-starts.
 */
import type { Client } from '@temporalio/client';
import { kycWorkflowId } from '../src/contract/kyc-workflow.ts';
import type { Sql } from '../src/db/pool.ts';
import { signalDocumentUploaded } from '../src/starters/kyc-client.ts';
import { ACTORS, BUCKET, type KycHarness, SEED_PERSON } from '../test/support/kyc-harness.ts';
import { FLOOR_WORKFLOW_TYPE, type FloorInput, floorUploadSignal } from './floor-workflow.ts';

/** The harness programs a user's documents by the user id in their keys; every bench user's keys carry this one. */
const DOCUMENTS_OWNER = 0;

export interface SeedDocuments {
  passportKey: string;
  selfieKey: string;
  livenessSessionId: string;
}

/**
 * Programs the stand-ins once, whatever the number of users, so that their work per call does not grow: every bench
 * user uploads the same two objects, the seed's Dr Jane Ann Doe in the harness's default scenario (a sharp selfie
 * matching at 93 %, a live Face Liveness session), and is on the register, licensed, under their own number.
 */
export function programSeedDocuments(harness: KycHarness): SeedDocuments {
  const { livenessSessionId } = harness.program(DOCUMENTS_OWNER, SEED_PERSON);
  const name = `${SEED_PERSON.givenNames} ${SEED_PERSON.surname}`;
  for (const actor of Object.values(ACTORS)) {
    harness.apify.setItems(actor, (input) => [
      { name, status: 'Licensed', reg_no: (input as { registrationNumber: string }).registrationNumber },
    ]);
  }
  return {
    passportKey: `kyc-raw/${DOCUMENTS_OWNER}/passport.jpg`,
    selfieKey: `kyc-raw/${DOCUMENTS_OWNER}/selfie.jpg`,
    livenessSessionId: livenessSessionId as string,
  };
}

let lastRegistrationNumber = 2_000_000;

/** Inserts `count` PENDING users with registration numbers of their own, in one statement; their ids in order. */
export async function enrolUsers(sql: Sql, count: number): Promise<number[]> {
  const first = lastRegistrationNumber + 1;
  lastRegistrationNumber += count;
  const rows = await sql<{ id: number }[]>`
    insert into users (email, reg_no, reg_type)
    select 'bench-' || n || '@example.org', n::text, 'GMC'
    from generate_series(${first}::int, ${lastRegistrationNumber}::int) n
    order by n
    returning id`;
  return rows.map((row) => row.id);
}

/** Users enrolled in batches as the load needs them. */
export function userPool(sql: Sql, batch = 500): () => Promise<number> {
  const ready: number[] = [];
  let enrolling: Promise<void> | null = null;
  return async function next() {
    while (ready.length === 0) {
      enrolling ??= enrolUsers(sql, batch).then((ids) => {
        ready.push(...ids);
        enrolling = null;
      });
      await enrolling;
    }
    return ready.shift() as number;
  };
}

export interface Started {
  workflowId: string;
  /** Just before the first upload was sent, epoch ms. */
  startedAt: number;
}

export async function startKycVerification(
  client: Client,
  taskQueue: string,
  documents: SeedDocuments,
  userId: number,
): Promise<Started> {
  const startedAt = Date.now();
  const kyc = { client, taskQueue };
  await signalDocumentUploaded(kyc, userId, {
    kind: 'ID_DOCUMENT',
    bucket: BUCKET,
    key: documents.passportKey,
    docType: 'passport',
  });
  await signalDocumentUploaded(kyc, userId, {
    kind: 'SELFIE',
    bucket: BUCKET,
    key: documents.selfieKey,
    livenessSessionId: documents.livenessSessionId,
  });
  return { workflowId: kycWorkflowId(userId), startedAt };
}

export async function startFloorVerification(
  client: Client,
  taskQueue: string,
  workflowId: string,
  input: FloorInput = { upsertLikeKyc: false },
): Promise<Started> {
  const startedAt = Date.now();
  for (const kind of ['ID_DOCUMENT', 'SELFIE'] as const) {
    await client.workflow.signalWithStart(FLOOR_WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [input],
      signal: floorUploadSignal,
      signalArgs: [{ kind }],
    });
  }
  return { workflowId, startedAt };
}
