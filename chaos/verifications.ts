/**
 * The people of a chaos run, each going through the doors as a real user and a real CS agent would: sign up over
 * HTTP, upload the ID document and the selfie over HTTP (the intake API stores them in S3; the S3 event reaches the
 * workflow through SQS and the bridge), and, for a case sent to review, a CS decision over HTTP or with the CS
 * command once the case shows up on the CS work list.
 */

import { jpegImage } from '../test/support/images.ts';
import type { ScenarioProgrammer } from '../test/support/scenarios.ts';
import { createDoorClient, type DoorAnswer, type RetryTally, runCsCommand } from './doors.ts';
import { type PlannedVerification, SCENARIOS } from './plan.ts';
import { sleep } from './timing.ts';

export interface AcceptedUpload {
  kind: 'ID_DOCUMENT' | 'SELFIE';
  key: string;
}

export interface VerificationProgress {
  planned: PlannedVerification;
  userId: number | null;
  /** What the intake API acknowledged with 202: these objects must end up in the workflow. */
  acceptedUploads: AcceptedUpload[];
  /** How the CS decision went: accepted, or refused after an earlier attempt had gone through. */
  review: { answer: 'accepted' | 'refused'; reason?: string } | null;
  /** Why this verification could not be driven to the end, if it could not. */
  failure: string | null;
}

const ID_DOCUMENT_IMAGE = jpegImage();
const SELFIE_IMAGE = jpegImage(48, 64);
/** Stages in which a CS decision is refused only because the case has not reached review yet. */
const NOT_YET_IN_REVIEW = /no review is pending \(stage (AWAITING_DOCUMENTS|SCANNING|CHECKING|DECIDING)\)/;

function expectStatus(answer: DoorAnswer, statuses: number[], what: string): void {
  if (!statuses.includes(answer.status))
    throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
}

export function createVerificationDriver(options: {
  apiUrl: string;
  seed: number;
  programmer: ScenarioProgrammer;
  serviceEnv: NodeJS.ProcessEnv;
  retries: RetryTally;
}) {
  const doors = createDoorClient(options.apiUrl, options.retries);
  const idempotencyKey = (index: number, part: string) => `chaos-${options.seed}-${index}-${part}`;

  async function upload(
    progress: VerificationProgress,
    part: 'both' | 'document' | 'selfie',
    livenessSessionId: string | undefined,
  ): Promise<void> {
    const form = new FormData();
    if (part !== 'selfie') {
      form.append('doc_type', 'passport');
      form.append('id_document', new Blob([ID_DOCUMENT_IMAGE], { type: 'image/jpeg' }), 'passport.jpg');
    }
    if (part !== 'document') {
      if (livenessSessionId) form.append('liveness_session_id', livenessSessionId);
      form.append('selfie', new Blob([SELFIE_IMAGE], { type: 'image/jpeg' }), 'selfie.jpg');
    }
    const answer = await doors.request(`/users/${progress.userId}/documents`, {
      method: 'POST',
      role: 'intake',
      form,
      headers: { 'idempotency-key': idempotencyKey(progress.planned.index, part) },
    });
    expectStatus(answer, [202], 'upload');
    progress.acceptedUploads.push(...((answer.body?.uploads as AcceptedUpload[]) ?? []));
  }

  /** Signs the person up and uploads their documents; the workflow takes it from there. */
  async function startVerification(progress: VerificationProgress): Promise<void> {
    const { person, scenarioName, uploadStyle } = progress.planned;
    const signedUp = await doors.request('/users', {
      method: 'POST',
      role: 'intake',
      json: { email: person.email, reg_type: person.regType, reg_no: person.regNo },
    });
    // 200: an earlier attempt created the user and its answer was lost.
    expectStatus(signedUp, [200, 201], 'sign-up');
    progress.userId = signedUp.body?.id as number;
    const { livenessSessionId } = await options.programmer.program(
      progress.userId,
      person,
      SCENARIOS[scenarioName].scenario,
    );
    if (uploadStyle === 'together') return await upload(progress, 'both', livenessSessionId);
    const parts =
      uploadStyle === 'document-first' ? (['document', 'selfie'] as const) : (['selfie', 'document'] as const);
    await upload(progress, parts[0], livenessSessionId);
    await sleep(1_000);
    await upload(progress, parts[1], livenessSessionId);
  }

  /** One CS decision; leaves `progress.review` unset when the case is not in review yet, to be tried again. */
  async function decideReview(progress: VerificationProgress): Promise<void> {
    const review = progress.planned.review;
    if (!review || progress.userId === null) return;
    let refusal: string | null = null;
    if (review.door === 'cli') {
      const result = await runCsCommand(
        options.serviceEnv,
        {
          userId: progress.userId,
          decision: review.decision,
          requestId: idempotencyKey(progress.planned.index, 'review'),
        },
        options.retries,
      );
      refusal = result.accepted ? null : result.reason;
    } else {
      const answer = await doors.request(
        `/cs/cases/${progress.userId}/decision`,
        {
          method: 'POST',
          role: 'cs',
          json: { decision: review.decision, reviewer: 'chaos-cs', note: 'decided during a chaos run' },
          headers: { 'idempotency-key': idempotencyKey(progress.planned.index, 'review') },
        },
        60_000,
      );
      expectStatus(answer, [200, 409], 'CS decision');
      refusal = answer.status === 200 ? null : String((answer.body?.error as { message?: string })?.message);
    }
    if (refusal !== null && NOT_YET_IN_REVIEW.test(refusal)) return;
    // Retries repeat the request id, so a refusal here is real; the final check compares with the database.
    progress.review = refusal === null ? { answer: 'accepted' } : { answer: 'refused', reason: refusal };
  }

  /**
   * The CS agent: every two seconds, decides the cases on the MANUAL_REVIEW list, and tries again the ones it tried
   * before they were in review; until every planned review is done or `until` says to stop.
   */
  async function workReviewQueue(all: VerificationProgress[], until: () => boolean): Promise<void> {
    const byUser = new Map<number, VerificationProgress>();
    const tried = new Set<number>();
    const inFlight = new Set<number>();
    const pending = () => all.some((progress) => progress.planned.review && !progress.review && !progress.failure);
    while (pending() && !until()) {
      for (const progress of all) if (progress.userId !== null) byUser.set(progress.userId, progress);
      const list = await doors.request('/cs/cases?status=MANUAL_REVIEW&limit=500', { role: 'cs' });
      const listed = ((list.body?.cases as { userId: number }[] | undefined) ?? []).map(
        (listedCase) => listedCase.userId,
      );
      for (const userId of new Set([...listed, ...tried])) {
        const progress = byUser.get(userId);
        if (!progress?.planned.review || progress.review || progress.failure || inFlight.has(userId)) continue;
        tried.add(userId);
        inFlight.add(userId);
        decideReview(progress)
          .catch((error: unknown) => {
            progress.failure = `CS decision: ${(error as Error).message}`;
          })
          .finally(() => inFlight.delete(userId));
      }
      await sleep(2_000);
    }
  }

  return { startVerification, workReviewQueue };
}
