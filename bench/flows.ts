/**
 * One verification, started the way the service's doors start it, on either side of the comparison: KycWorkflow
 * through the contract's signal-with-start (what the intake API and the S3 bridge send for each upload), or the floor
 * through the same two signal-with-starts.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { kycWorkflowId } from '../src/contract/kyc-workflow.ts';
import { kycStartSearchAttributes } from '../src/contract/search-attributes.ts';
import type { Sql } from '../src/db/pool.ts';
import { signalDocumentUploaded } from '../src/starters/kyc-client.ts';
import { imageBytesKey } from '../test/stand-ins/aws-json.ts';
import {
  compareFacesResponse,
  detectFacesResponse,
  livenessResponse,
  tinyJpeg,
} from '../test/stand-ins/aws-responses.ts';
import { ACTORS, BUCKET, type KycHarness, SEED_PERSON } from '../test/support/kyc-harness.ts';
import { FLOOR_WORKFLOW_TYPE, type FloorInput, floorUploadSignal } from './floor-workflow.ts';

/** One bench user's documents: their own passport, selfie and Face Liveness session. */
export interface UserDocuments {
  passportKey: string;
  selfieKey: string;
  livenessSessionId: string;
}

export interface SeedDocuments {
  /** Programs the stand-ins for this user's documents and records their liveness session. */
  forUser(userId: number): Promise<UserDocuments>;
}

/**
 * Every bench user is the seed's Dr Jane Ann Doe in the harness's default scenario (a sharp selfie matching at 93 %,
 * a live Face Liveness session), on the register, licensed, under their own number. Each has their own passport
 * number, birth date, face and liveness session, or the fraud controls would send every user after the first to
 * review as one person behind many accounts. The stand-ins are programmed by exact object key and session id, so
 * their work per call does not grow with the number of users; the driver pays one INSERT per user for the session.
 */
export function programSeedDocuments(harness: KycHarness): SeedDocuments {
  const name = `${SEED_PERSON.givenNames} ${SEED_PERSON.surname}`;
  for (const actor of Object.values(ACTORS)) {
    harness.apify.setItems(actor, (input) => [
      { name, status: 'Licensed', reg_no: (input as { registrationNumber: string }).registrationNumber },
    ]);
  }
  const { rekognition } = harness.aws;
  return {
    async forUser(userId) {
      const passportKey = `kyc-raw/${userId}/passport.jpg`;
      const selfieKey = `kyc-raw/${userId}/selfie.jpg`;
      const face = `bench-user-${userId}`;
      const birth = new Date(Date.UTC(1950, 0, 1) + (userId % 15_000) * 86_400_000).toISOString().slice(0, 10);
      harness.programPassport(
        { ...SEED_PERSON, passportNumber: String(100_000_000 + userId), birthDate: birth },
        passportKey,
      );
      rekognition.detectFaces(selfieKey, detectFacesResponse([{ sharpness: 78, brightness: 71 }]));
      rekognition.compareFaces(selfieKey, compareFacesResponse(93));
      rekognition.faceOf(passportKey, face);
      rekognition.faceOf(selfieKey, face);
      const livenessSessionId = randomUUID();
      const referenceImage = Buffer.concat([tinyJpeg, Buffer.from(livenessSessionId)]);
      rekognition.faceOf(imageBytesKey(referenceImage), face);
      rekognition.livenessResult(livenessSessionId, livenessResponse('SUCCEEDED', 97.5, referenceImage));
      await harness.db
        .sql`insert into liveness_sessions (session_id, user_id) values (${livenessSessionId}, ${userId})`;
      return { passportKey, selfieKey, livenessSessionId };
    },
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
  const own = await documents.forUser(userId);
  const startedAt = Date.now();
  const kyc = { client, taskQueue };
  await signalDocumentUploaded(kyc, userId, {
    kind: 'ID_DOCUMENT',
    bucket: BUCKET,
    key: own.passportKey,
    docType: 'passport',
  });
  await signalDocumentUploaded(kyc, userId, {
    kind: 'SELFIE',
    bucket: BUCKET,
    key: own.selfieKey,
    livenessSessionId: own.livenessSessionId,
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
  const startAttributes = input.upsertLikeKyc ? kycStartSearchAttributes(1) : [];
  for (const kind of ['ID_DOCUMENT', 'SELFIE'] as const) {
    await client.workflow.signalWithStart(FLOOR_WORKFLOW_TYPE, {
      taskQueue,
      workflowId,
      args: [input],
      typedSearchAttributes: startAttributes,
      signal: floorUploadSignal,
      signalArgs: [{ kind }],
    });
  }
  return { workflowId, startedAt };
}
