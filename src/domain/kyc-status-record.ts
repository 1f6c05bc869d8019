/**
 * The read model of a user's KYC status: the `KycStatusView` the workflow's query would answer, worked out from the
 * rows its activities wrote (src/db/kyc-status.ts reads them). Pure, so every case is a row of a table-driven test.
 *
 * A cycle is known by the rows carrying its id (its start, scan, register intent and run, face and register checks,
 * automatic decision, ops alert); a cycle begun before kyc_cycles existed is known from its scan on. CS reviews share their cycle's id and are not cycles; an override has an id of its own and is
 * not one either. A decision taken again on a register change is a cycle of its own, without documents.
 */
import type { KycStatusRecord, NotRecordedField } from '../contract/kyc-status.ts';
import type { DecisionView, KycStage, KycStatusView, KycStep, WaitingFor } from '../contract/kyc-workflow.ts';
import { toDocumentOutcome } from './identity-document.ts';
import type {
  CheckOutcomes,
  DocumentOutcome,
  DuplicateIdentity,
  FaceOutcome,
  KycDecision,
  RegisterOutcome,
  UserStatus,
} from './outcomes.ts';
import type { ParsedIdentityDocument } from './parsed-document.ts';

/** Every `at` is milliseconds since the epoch. */
export interface StatusFacts {
  userId: number;
  userStatus: UserStatus;
  /** The user's uploads, oldest first. */
  uploads: { kind: 'ID_DOCUMENT' | 'SELFIE'; key: string; at: number }[];
  /** The cycles beginCycle recorded when it started them (none before kyc_cycles, nor for register changes). */
  cycleStarts: { cycleId: string; at: number }[];
  scans: ScanFact[];
  faceChecks: { cycleId: string; outcome: FaceOutcome | null; selfieKey: string; at: number }[];
  registerIntents: { cycleId: string; at: number }[];
  /** `callbackHandedOn`: the webhook door handed on a terminal callback for the run. */
  registerRuns: { cycleId: string; runId: string; at: number; callbackHandedOn: boolean }[];
  registerChecks: { cycleId: string; outcome: RegisterOutcome | null; at: number }[];
  /** Oldest first (decided_at, then id). */
  decisions: DecisionFact[];
  alerts: { cycleId: string; step: KycStep; reason: string; at: number }[];
  /** DUPLICATE_IDENTITY links found by the user's scans, by the other user's id. */
  duplicateLinks: { cycleId: string; otherUserId: number; on: string }[];
  claimedBy: string | null;
}

export interface ScanFact {
  cycleId: string;
  idDocumentId: number;
  key: string;
  at: number;
  /** What the parser read (null when it read nothing); `error` when OCR refused the image. */
  parsed: Pick<
    ParsedIdentityDocument,
    'fullName' | 'birthDate' | 'expiryDate' | 'checkDigitsValid' | 'problems'
  > | null;
  error: string | null;
}

export interface DecisionFact {
  id: number;
  cycleId: string | null;
  decision: KycDecision;
  reasons: DecisionView['reasons'];
  source: 'AUTOMATIC' | 'CS';
  reviewer: string | null;
  at: number;
  /** What a review of this decision asked the user to upload instead of deciding (null before it was recorded). */
  documentsRequested: ('ID_DOCUMENT' | 'SELFIE')[] | null;
  /** Set on a decision taken again on a register change. */
  regCheckId: number | null;
  /**
   * The outcomes an automatic decision was taken on: a verification's (absent before policy versions), or one taken
   * again on a register change, with the fresh register outcome (absent before the read model needed it).
   */
  policyInput: CheckOutcomes | null;
  /** When its notifications were last written. */
  notifiedAt: number | null;
}

interface Cycle {
  id: string;
  began: number;
  /** Decided again on a register change: no documents of its own. */
  registerChange: boolean;
}

export function kycStatusRecord(facts: StatusFacts): KycStatusRecord {
  const cycles = cyclesOf(facts);
  const current = cycles.at(-1) ?? null;
  const verification = cycles.findLast((cycle) => !cycle.registerChange) ?? null;
  const earlier = verification
    ? cycles.slice(0, cycles.indexOf(verification)).findLast((c) => !c.registerChange)
    : null;
  const lockedAt = (cycle: Cycle | null | undefined) =>
    cycle ? (facts.scans.find((scan) => scan.cycleId === cycle.id)?.at ?? cycle.began) : Number.NEGATIVE_INFINITY;

  const decisions = verification ? facts.decisions.filter((d) => d.at >= verification.began) : [];
  const standing = decisions.at(-1) ?? null;
  const documentsRequested = standing?.decision === 'MANUAL_REVIEW' && facts.userStatus === 'PENDING';
  const idle = standing !== null && (standing.decision !== 'MANUAL_REVIEW' || documentsRequested);
  const newUploads = facts.uploads.filter((upload) => upload.at > lockedAt(verification));
  // An idle case that received uploads starts the next cycle, which records nothing until its scan.
  if (current === null || (idle && newUploads.length > 0)) {
    return pendingCycle(facts, cycles.length + 1, current === null ? facts.uploads : newUploads);
  }

  const notRecorded: NotRecordedField[] = ['ignoredSignals'];
  const scan = facts.scans.find((row) => row.cycleId === verification?.id) ?? null;
  const face = facts.faceChecks.find((row) => row.cycleId === verification?.id) ?? null;
  const run = facts.registerRuns.find((row) => row.cycleId === verification?.id) ?? null;
  const registerCheck = facts.registerChecks.find((row) => row.cycleId === verification?.id) ?? null;
  const automatic = decisions.findLast((d) => d.source === 'AUTOMATIC') ?? null;
  const verified = decisions.find((d) => d.source === 'AUTOMATIC' && d.cycleId === verification?.id) ?? null;
  const outcomes = verified?.policyInput ?? null;

  const selfieKey =
    face?.selfieKey ?? (scan ? facts.uploads.findLast((u) => u.kind === 'SELFIE' && u.at <= scan.at)?.key : null);
  const sinceEarlier = facts.uploads.filter((upload) => upload.at > lockedAt(earlier));
  let documents: KycStatusView['documents'] = scan
    ? { idDocument: { key: scan.key, idDocumentId: scan.idDocumentId }, selfie: selfieKey ? { key: selfieKey } : null }
    : latestDocuments(sinceEarlier);
  const checks: KycStatusView['checks'] = {
    document: outcomes?.document ?? (scan ? documentOutcome(scan, facts.duplicateLinks) : null),
    face: outcomes?.face ?? face?.outcome ?? null,
    register:
      outcomes?.register ??
      registerCheck?.outcome ??
      (run && !registerCheck ? { status: 'PENDING', runId: run.runId } : null),
  };
  const redecided = current.registerChange && decisions.some((d) => d.cycleId === current.id);
  if (redecided) {
    // The fresh register outcome the decision was taken on; rows from before it was recorded do not hold it.
    const redecision = decisions.find((d) => d.source === 'AUTOMATIC' && d.cycleId === current.id);
    checks.register = redecision?.policyInput?.register ?? null;
    if (checks.register === null) notRecorded.push('checks.register');
  }

  let stage: KycStage;
  let waitingFor: WaitingFor[] = [];
  if (standing === null) {
    if (!scan) {
      stage = documents.idDocument && documents.selfie ? 'SCANNING' : 'AWAITING_DOCUMENTS';
      waitingFor = missingDocuments(documents);
    } else if (checks.face && registerCheck) {
      stage = 'DECIDING';
    } else {
      stage = 'CHECKING';
      if (run && !registerCheck && !run.callbackHandedOn) waitingFor = ['REGISTER_CALLBACK'];
    }
  } else if (current.registerChange && !redecided) {
    stage = 'DECIDING';
  } else if (documentsRequested) {
    stage = 'AWAITING_DOCUMENTS';
    const asked = standing.documentsRequested;
    if (asked) {
      // What was asked for is not reused; the rest stays the cycle's.
      documents = {
        idDocument: asked.includes('ID_DOCUMENT') ? null : documents.idDocument,
        selfie: asked.includes('SELFIE') ? null : documents.selfie,
      };
      waitingFor = missingDocuments(documents);
    } else {
      documents = { idDocument: null, selfie: null };
      notRecorded.push('documents', 'waitingFor');
    }
  } else if (standing.decision === 'MANUAL_REVIEW') {
    stage = 'AWAITING_REVIEW';
    waitingFor = ['CS_REVIEW'];
  } else if (facts.userStatus === 'EXPIRED') {
    stage = 'EXPIRED';
    waitingFor = ['REUPLOAD'];
  } else {
    stage = 'DECIDED';
  }

  const attention = parkedAlert(facts, current, decisions);
  if (facts.userStatus === 'ERASED') {
    stage = 'ERASED';
    waitingFor = [];
  }
  const record: KycStatusRecord = {
    source: 'database',
    userId: facts.userId,
    cycle: cycles.length,
    cycleId: current.id,
    stage,
    waitingFor,
    documents,
    checks,
    decision: standing ? decisionView(standing) : null,
    automaticDecision: automatic ? decisionView(automatic) : null,
    ignoredSignals: null,
    attention: null,
    notRecorded,
  };
  if (attention && stage !== 'ERASED') {
    record.attention = { step: attention.step, reason: attention.reason, resumeStage: stage, since: iso(attention.at) };
    record.stage = 'NEEDS_ATTENTION';
    record.waitingFor = ['OPS_RETRY'];
  }
  if (record.stage === 'AWAITING_REVIEW') record.claimedBy = facts.claimedBy;
  return record;
}

/** The cycles, oldest first; CS rows (reviews, overrides) belong to the cycle they decide, not one of their own. */
function cyclesOf(facts: StatusFacts): Cycle[] {
  const began = new Map<string, number>();
  const see = (cycleId: string | null, at: number) => {
    if (cycleId !== null) began.set(cycleId, Math.min(began.get(cycleId) ?? at, at));
  };
  for (const row of facts.cycleStarts) see(row.cycleId, row.at);
  for (const row of facts.scans) see(row.cycleId, row.at);
  for (const row of facts.registerIntents) see(row.cycleId, row.at);
  for (const row of facts.registerRuns) see(row.cycleId, row.at);
  for (const row of facts.faceChecks) see(row.cycleId, row.at);
  for (const row of facts.registerChecks) see(row.cycleId, row.at);
  for (const row of facts.alerts) see(row.cycleId, row.at);
  for (const row of facts.decisions) if (row.source === 'AUTOMATIC') see(row.cycleId, row.at);
  // A register change whose decision gave up before it was recorded is known by its alert.
  const registerChanges = new Set([
    ...facts.decisions.filter((row) => row.regCheckId !== null && row.source === 'AUTOMATIC').map((row) => row.cycleId),
    ...facts.alerts.filter((row) => row.step === 'redecideOnRegisterChange').map((row) => row.cycleId),
  ]);
  return [...began]
    .map(([id, at]) => ({ id, began: at, registerChange: registerChanges.has(id) }))
    .sort((a, b) => a.began - b.began);
}

/** A cycle that has recorded nothing yet: it waits for its documents, or is about to scan them. */
function pendingCycle(facts: StatusFacts, cycle: number, uploads: StatusFacts['uploads']): KycStatusRecord {
  const documents = latestDocuments(uploads);
  const waitingFor = missingDocuments(documents);
  return {
    source: 'database',
    userId: facts.userId,
    cycle,
    cycleId: null,
    stage: facts.userStatus === 'ERASED' ? 'ERASED' : waitingFor.length === 0 ? 'SCANNING' : 'AWAITING_DOCUMENTS',
    waitingFor: facts.userStatus === 'ERASED' ? [] : waitingFor,
    documents,
    checks: { document: null, face: null, register: null },
    decision: null,
    automaticDecision: null,
    ignoredSignals: null,
    attention: null,
    notRecorded: ['ignoredSignals', 'cycleId'],
  };
}

function latestDocuments(uploads: StatusFacts['uploads']): KycStatusView['documents'] {
  const idDocument = uploads.findLast((upload) => upload.kind === 'ID_DOCUMENT');
  const selfie = uploads.findLast((upload) => upload.kind === 'SELFIE');
  return { idDocument: idDocument ? { key: idDocument.key } : null, selfie: selfie ? { key: selfie.key } : null };
}

function missingDocuments(documents: KycStatusView['documents']): WaitingFor[] {
  return [...(documents.idDocument ? [] : ['ID_DOCUMENT' as const]), ...(documents.selfie ? [] : ['SELFIE' as const])];
}

/** The scan's outcome as the scan activity worked it out, before a decision recorded it. */
function documentOutcome(scan: ScanFact, links: StatusFacts['duplicateLinks']): DocumentOutcome {
  if (scan.error !== null) {
    return { status: 'UNREADABLE', cause: scan.error === 'UNSUPPORTED_IMAGE' ? 'UNSUPPORTED_IMAGE' : 'OCR_ERROR' };
  }
  const outcome = toDocumentOutcome(scan.parsed, iso(scan.at).slice(0, 10));
  if (outcome.status !== 'READ') return outcome;
  const duplicates: DuplicateIdentity[] = links
    .filter((link) => link.cycleId === scan.cycleId)
    .flatMap((link) =>
      link.on.split('+').map((on) => ({ userId: link.otherUserId, on: on as DuplicateIdentity['on'] })),
    );
  return { ...outcome, duplicates };
}

/**
 * The cycle's latest ops alert, when nothing was recorded after it: the step that gave up has not run again since.
 * Writes that count are the cycle's own rows (its start too: a beginCycle that gave up records it on its retry) and
 * its decisions' notifications.
 */
function parkedAlert(facts: StatusFacts, current: Cycle, decisions: DecisionFact[]) {
  const alert = facts.alerts.filter((row) => row.cycleId === current.id).at(-1);
  if (!alert) return null;
  const ofCycle = (rows: { cycleId: string; at: number }[]) =>
    rows.filter((row) => row.cycleId === current.id).map((row) => row.at);
  const written = [
    ...ofCycle(facts.cycleStarts),
    ...ofCycle(facts.scans),
    ...ofCycle(facts.registerIntents),
    ...ofCycle(facts.registerRuns),
    ...ofCycle(facts.faceChecks),
    ...ofCycle(facts.registerChecks),
    ...decisions.flatMap((d) => [d.at, d.notifiedAt ?? d.at]),
  ];
  return written.every((at) => at < alert.at) ? alert : null;
}

function decisionView(row: DecisionFact): DecisionView {
  return {
    decisionId: row.id,
    decision: row.decision,
    reasons: row.reasons,
    source: row.source,
    ...(row.source === 'CS' && row.reviewer ? { reviewer: row.reviewer } : {}),
  };
}

function iso(at: number): string {
  return new Date(at).toISOString();
}
