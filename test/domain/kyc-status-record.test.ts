import { describe, expect, it } from 'vitest';
import type { KycStatusRecord } from '../../src/contract/kyc-status.ts';
import type { DecisionView } from '../../src/contract/kyc-workflow.ts';
import { type DecisionFact, kycStatusRecord, type StatusFacts } from '../../src/domain/kyc-status-record.ts';
import type { CheckOutcomes } from '../../src/domain/outcomes.ts';

const T = Date.parse('2026-12-03T09:00:00Z');
const at = (seconds: number) => T + seconds * 1000;
const C1 = '11111111-1111-4111-8111-111111111111';
const C2 = '22222222-2222-4222-8222-222222222222';
const OVERRIDE_CYCLE = '33333333-3333-4333-8333-333333333333';

const passport = { kind: 'ID_DOCUMENT' as const, key: 'kyc-raw/7/a-passport.jpg', at: at(1) };
const selfie = { kind: 'SELFIE' as const, key: 'kyc-raw/7/a-selfie.jpg', at: at(2) };
const newPassport = { kind: 'ID_DOCUMENT' as const, key: 'kyc-raw/7/b-passport.jpg', at: at(100) };
const read = {
  fullName: 'JANE DOE',
  birthDate: '1980-01-01',
  expiryDate: '2030-01-01',
  checkDigitsValid: true,
  problems: [],
};
const scan = { cycleId: C1, idDocumentId: 41, key: passport.key, at: at(10), parsed: read, error: null };
const compared = { status: 'COMPARED', similarity: 0.99, liveness: 'PASSED', selfieQuality: 'OK' } as const;
const faceCheck = { cycleId: C1, outcome: compared, selfieKey: selfie.key, at: at(12) };
const run = { cycleId: C1, runId: 'run-1', at: at(11), callbackHandedOn: false };
const checked = { status: 'CHECKED', standing: 'REGISTERED', nameMatch: 'EXACT' } as const;
const registerCheck = { cycleId: C1, outcome: checked, at: at(13) };
const suspended = { status: 'CHECKED', standing: 'SUSPENDED', nameMatch: 'EXACT' } as const;
const outcomes: CheckOutcomes = {
  document: { status: 'READ', expired: false, checkDigitsValid: true, fieldsComplete: true, duplicates: [] },
  face: compared,
  register: checked,
};
const decision = (fields: Partial<DecisionFact> & Pick<DecisionFact, 'id' | 'decision' | 'at'>): DecisionFact => ({
  cycleId: C1,
  reasons: [],
  source: 'AUTOMATIC',
  reviewer: null,
  regCheckId: null,
  documentsRequested: null,
  policyInput: outcomes,
  notifiedAt: null,
  ...fields,
});
const passed = decision({ id: 501, decision: 'PASS', at: at(14) });
const toReview = decision({ id: 502, decision: 'MANUAL_REVIEW', reasons: ['LIVENESS_NOT_PERFORMED'], at: at(14) });

const nothing: StatusFacts = {
  userId: 7,
  userStatus: 'PENDING',
  uploads: [],
  cycleStarts: [],
  scans: [],
  faceChecks: [],
  registerIntents: [],
  registerRuns: [],
  registerChecks: [],
  decisions: [],
  alerts: [],
  duplicateLinks: [],
  claimedBy: null,
};
const checking: StatusFacts = {
  ...nothing,
  uploads: [passport, selfie],
  scans: [scan],
  registerIntents: [{ cycleId: C1, at: at(11) }],
  registerRuns: [run],
};
const decided: StatusFacts = {
  ...checking,
  userStatus: 'VERIFIED',
  faceChecks: [faceCheck],
  registerChecks: [registerCheck],
  decisions: [passed],
};
const inReview: StatusFacts = { ...decided, userStatus: 'MANUAL_REVIEW', decisions: [toReview] };
const bothDocuments = { idDocument: { key: passport.key, idDocumentId: 41 }, selfie: { key: selfie.key } };
const passedView: DecisionView = { decisionId: 501, decision: 'PASS', reasons: [], source: 'AUTOMATIC' };

const cases: { name: string; facts: StatusFacts; expected: Partial<KycStatusRecord> }[] = [
  {
    name: 'a new user, nothing recorded: the first cycle waits for both documents, its id not yet recorded',
    facts: nothing,
    expected: {
      cycle: 1,
      cycleId: null,
      stage: 'AWAITING_DOCUMENTS',
      waitingFor: ['ID_DOCUMENT', 'SELFIE'],
      documents: { idDocument: null, selfie: null },
      notRecorded: ['ignoredSignals', 'cycleId'],
    },
  },
  {
    name: 'the ID document uploaded: waiting for the selfie',
    facts: { ...nothing, uploads: [passport] },
    expected: {
      stage: 'AWAITING_DOCUMENTS',
      waitingFor: ['SELFIE'],
      documents: { idDocument: { key: passport.key }, selfie: null },
    },
  },
  {
    name: 'both uploaded, no scan recorded: scanning',
    facts: { ...nothing, uploads: [passport, selfie] },
    expected: { stage: 'SCANNING', waitingFor: [] },
  },
  {
    name: 'scanned, the register run started and no callback: checking, waiting for the callback',
    facts: {
      ...checking,
      duplicateLinks: [
        { cycleId: C1, otherUserId: 3, on: 'DOCUMENT+IDENTITY' },
        { cycleId: 'another-cycle', otherUserId: 4, on: 'IDENTITY' },
      ],
    },
    expected: {
      cycle: 1,
      cycleId: C1,
      stage: 'CHECKING',
      waitingFor: ['REGISTER_CALLBACK'],
      documents: bothDocuments,
      checks: {
        document: {
          status: 'READ',
          expired: false,
          checkDigitsValid: true,
          fieldsComplete: true,
          duplicates: [
            { userId: 3, on: 'DOCUMENT' },
            { userId: 3, on: 'IDENTITY' },
          ],
        },
        face: null,
        register: { status: 'PENDING', runId: 'run-1' },
      },
      decision: null,
      notRecorded: ['ignoredSignals'],
    },
  },
  {
    name: 'the callback handed on, the result not yet read: checking, waiting for nothing',
    facts: { ...checking, registerRuns: [{ ...run, callbackHandedOn: true }] },
    expected: { stage: 'CHECKING', waitingFor: [] },
  },
  {
    name: 'a scan whose image OCR refused: unreadable',
    facts: { ...checking, scans: [{ ...scan, parsed: null, error: 'UNSUPPORTED_IMAGE' }] },
    expected: {
      checks: {
        document: { status: 'UNREADABLE', cause: 'UNSUPPORTED_IMAGE' },
        face: null,
        register: { status: 'PENDING', runId: 'run-1' },
      },
    },
  },
  {
    name: 'a scan that read nothing: no identity data',
    facts: { ...checking, scans: [{ ...scan, parsed: null }] },
    expected: {
      checks: {
        document: { status: 'UNREADABLE', cause: 'NO_IDENTITY_DATA' },
        face: null,
        register: { status: 'PENDING', runId: 'run-1' },
      },
    },
  },
  {
    name: 'a document past its expiry date on the day of the scan: read, expired',
    facts: { ...checking, scans: [{ ...scan, parsed: { ...read, expiryDate: '2026-12-02' } }] },
    expected: {
      checks: {
        document: { status: 'READ', expired: true, checkDigitsValid: true, fieldsComplete: true, duplicates: [] },
        face: null,
        register: { status: 'PENDING', runId: 'run-1' },
      },
    },
  },
  {
    name: 'every check recorded, no decision: deciding',
    facts: { ...decided, userStatus: 'PENDING', decisions: [] },
    expected: {
      stage: 'DECIDING',
      waitingFor: [],
      checks: { document: outcomes.document, face: compared, register: checked },
    },
  },
  {
    name: 'PASS: decided, the checks as the decision recorded them',
    facts: decided,
    expected: {
      cycle: 1,
      cycleId: C1,
      stage: 'DECIDED',
      waitingFor: [],
      checks: outcomes,
      decision: passedView,
      automaticDecision: passedView,
      attention: null,
    },
  },
  {
    name: 'MANUAL_REVIEW, claimed: awaiting review by the claimant',
    facts: { ...inReview, claimedBy: 'erin' },
    expected: { stage: 'AWAITING_REVIEW', waitingFor: ['CS_REVIEW'], claimedBy: 'erin' },
  },
  {
    name: "CS's PASS of a review: decided by CS, the automatic decision kept",
    facts: {
      ...inReview,
      userStatus: 'VERIFIED',
      decisions: [
        toReview,
        decision({
          id: 503,
          decision: 'PASS',
          reasons: ['CS_APPROVED'],
          source: 'CS',
          reviewer: 'erin',
          policyInput: null,
          at: at(20),
        }),
      ],
    },
    expected: {
      stage: 'DECIDED',
      cycle: 1,
      decision: { decisionId: 503, decision: 'PASS', reasons: ['CS_APPROVED'], source: 'CS', reviewer: 'erin' },
      automaticDecision: {
        decisionId: 502,
        decision: 'MANUAL_REVIEW',
        reasons: ['LIVENESS_NOT_PERFORMED'],
        source: 'AUTOMATIC',
      },
    },
  },
  {
    name: "a CS lead's override: stands, under its own cycle id, without starting a cycle",
    facts: {
      ...decided,
      userStatus: 'REJECTED',
      decisions: [
        passed,
        decision({
          id: 504,
          cycleId: OVERRIDE_CYCLE,
          decision: 'FAIL',
          reasons: ['CS_REJECTED', 'FACE_MISMATCH'],
          source: 'CS',
          reviewer: 'lee',
          policyInput: null,
          at: at(30),
        }),
      ],
    },
    expected: {
      cycle: 1,
      cycleId: C1,
      stage: 'DECIDED',
      decision: {
        decisionId: 504,
        decision: 'FAIL',
        reasons: ['CS_REJECTED', 'FACE_MISMATCH'],
        source: 'CS',
        reviewer: 'lee',
      },
      automaticDecision: passedView,
    },
  },
  {
    name: 'decided again on a register change: a cycle of its own, on the fresh register outcome',
    facts: {
      ...decided,
      userStatus: 'REJECTED',
      decisions: [
        passed,
        decision({
          id: 505,
          cycleId: C2,
          decision: 'FAIL',
          reasons: ['REGISTER_SUSPENDED'],
          regCheckId: 9,
          policyInput: { ...outcomes, register: suspended },
          at: at(40),
        }),
      ],
    },
    expected: {
      cycle: 2,
      cycleId: C2,
      stage: 'DECIDED',
      documents: bothDocuments,
      checks: { document: outcomes.document, face: compared, register: suspended },
      decision: { decisionId: 505, decision: 'FAIL', reasons: ['REGISTER_SUSPENDED'], source: 'AUTOMATIC' },
      notRecorded: ['ignoredSignals'],
    },
  },
  {
    name: 'decided again on a register change before its register outcome was recorded: not recorded',
    facts: {
      ...decided,
      userStatus: 'REJECTED',
      decisions: [
        passed,
        decision({
          id: 505,
          cycleId: C2,
          decision: 'FAIL',
          reasons: ['REGISTER_SUSPENDED'],
          regCheckId: 9,
          policyInput: null,
          at: at(40),
        }),
      ],
    },
    expected: {
      cycle: 2,
      cycleId: C2,
      stage: 'DECIDED',
      documents: bothDocuments,
      checks: { document: outcomes.document, face: compared, register: null },
      decision: { decisionId: 505, decision: 'FAIL', reasons: ['REGISTER_SUSPENDED'], source: 'AUTOMATIC' },
      notRecorded: ['ignoredSignals', 'checks.register'],
    },
  },
  {
    name: 'deciding again on a register change gave up: a cycle of its own, parked while deciding, the old decision stands',
    facts: {
      ...decided,
      alerts: [{ cycleId: C2, step: 'redecideOnRegisterChange', reason: 'Error: db', at: at(40) }],
    },
    expected: {
      cycle: 2,
      cycleId: C2,
      stage: 'NEEDS_ATTENTION',
      decision: passedView,
      checks: outcomes,
      notRecorded: ['ignoredSignals'],
      attention: {
        step: 'redecideOnRegisterChange',
        reason: 'Error: db',
        resumeStage: 'DECIDING',
        since: '2026-12-03T09:00:40.000Z',
      },
    },
  },
  {
    name: 'a re-upload after the decision: the next cycle waits for the other document, nothing carried over',
    facts: { ...decided, uploads: [passport, selfie, newPassport] },
    expected: {
      cycle: 2,
      cycleId: null,
      stage: 'AWAITING_DOCUMENTS',
      waitingFor: ['SELFIE'],
      documents: { idDocument: { key: newPassport.key }, selfie: null },
      checks: { document: null, face: null, register: null },
      decision: null,
      automaticDecision: null,
    },
  },
  {
    name: 'a cycle begun, nothing uploaded: its id is recorded',
    facts: { ...nothing, cycleStarts: [{ cycleId: C1, at: at(0) }] },
    expected: {
      cycle: 1,
      cycleId: C1,
      stage: 'AWAITING_DOCUMENTS',
      waitingFor: ['ID_DOCUMENT', 'SELFIE'],
      documents: { idDocument: null, selfie: null },
      notRecorded: ['ignoredSignals'],
    },
  },
  {
    name: 'a re-upload after the decision, the next cycle begun: its id recorded, it waits for the other document',
    facts: {
      ...decided,
      uploads: [passport, selfie, newPassport],
      cycleStarts: [
        { cycleId: C1, at: at(0) },
        { cycleId: C2, at: at(101) },
      ],
    },
    expected: {
      cycle: 2,
      cycleId: C2,
      stage: 'AWAITING_DOCUMENTS',
      waitingFor: ['SELFIE'],
      documents: { idDocument: { key: newPassport.key }, selfie: null },
      checks: { document: null, face: null, register: null },
      decision: null,
      automaticDecision: null,
      notRecorded: ['ignoredSignals'],
    },
  },
  {
    name: 'beginCycle gave up, then its retry recorded the start: no longer parked',
    facts: {
      ...nothing,
      alerts: [{ cycleId: C1, step: 'beginCycle', reason: 'Error: db', at: at(0) }],
      cycleStarts: [{ cycleId: C1, at: at(5) }],
    },
    expected: { cycle: 1, cycleId: C1, stage: 'AWAITING_DOCUMENTS', attention: null },
  },
  {
    name: 'beginCycle gave up: needs attention, resuming where it waits for documents',
    facts: { ...nothing, alerts: [{ cycleId: C1, step: 'beginCycle', reason: 'Error: db', at: at(0) }] },
    expected: { cycleId: C1, stage: 'NEEDS_ATTENTION', waitingFor: ['OPS_RETRY'] },
  },
  {
    name: 'an upload during the checks waits for the next cycle',
    facts: { ...checking, uploads: [passport, selfie, newPassport] },
    expected: { cycle: 1, stage: 'CHECKING', documents: bothDocuments },
  },
  {
    name: 'the scan gave up: needs attention, resuming at the scan',
    facts: {
      ...nothing,
      uploads: [passport, selfie],
      alerts: [{ cycleId: C1, step: 'scanDocument', reason: 'PermanentAdapterError: boom', at: at(9) }],
    },
    expected: {
      cycle: 1,
      cycleId: C1,
      stage: 'NEEDS_ATTENTION',
      waitingFor: ['OPS_RETRY'],
      attention: {
        step: 'scanDocument',
        reason: 'PermanentAdapterError: boom',
        resumeStage: 'SCANNING',
        since: '2026-12-03T09:00:09.000Z',
      },
    },
  },
  {
    name: 'a step that gave up, retried, then recorded its row: no longer parked',
    facts: { ...checking, alerts: [{ cycleId: C1, step: 'scanDocument', reason: 'Error: x', at: at(9) }] },
    expected: { stage: 'CHECKING', attention: null },
  },
  {
    name: 'a notification that gave up after the decision: parked until it is sent',
    facts: {
      ...decided,
      alerts: [{ cycleId: C1, step: 'notifyDecision', reason: 'Error: smtp', at: at(16) }],
      decisions: [{ ...passed, notifiedAt: at(15) }],
    },
    expected: {
      stage: 'NEEDS_ATTENTION',
      attention: {
        step: 'notifyDecision',
        reason: 'Error: smtp',
        resumeStage: 'DECIDED',
        since: '2026-12-03T09:00:16.000Z',
      },
    },
  },
  {
    name: 'the ID document expired after a PASS: expired, waiting for a re-upload',
    facts: { ...decided, userStatus: 'EXPIRED' },
    expected: { stage: 'EXPIRED', waitingFor: ['REUPLOAD'] },
  },
  {
    name: 'a review that asked for a new selfie: waiting for it, the ID document kept',
    facts: { ...inReview, userStatus: 'PENDING', decisions: [{ ...toReview, documentsRequested: ['SELFIE'] }] },
    expected: {
      stage: 'AWAITING_DOCUMENTS',
      documents: { idDocument: { key: passport.key, idDocumentId: 41 }, selfie: null },
      waitingFor: ['SELFIE'],
      notRecorded: ['ignoredSignals'],
    },
  },
  {
    name: 'a review that asked for both documents: waiting for both',
    facts: {
      ...inReview,
      userStatus: 'PENDING',
      decisions: [{ ...toReview, documentsRequested: ['ID_DOCUMENT', 'SELFIE'] }],
    },
    expected: {
      stage: 'AWAITING_DOCUMENTS',
      documents: { idDocument: null, selfie: null },
      waitingFor: ['ID_DOCUMENT', 'SELFIE'],
      notRecorded: ['ignoredSignals'],
    },
  },
  {
    name: 'a review that asked for new documents before they were recorded: which ones is not recorded',
    facts: { ...inReview, userStatus: 'PENDING' },
    expected: {
      stage: 'AWAITING_DOCUMENTS',
      documents: { idDocument: null, selfie: null },
      waitingFor: [],
      notRecorded: ['ignoredSignals', 'documents', 'waitingFor'],
    },
  },
  {
    name: 'no documents within the window: FAIL, no checks',
    facts: {
      ...nothing,
      userStatus: 'REJECTED',
      uploads: [passport],
      decisions: [
        decision({ id: 506, decision: 'FAIL', reasons: ['DOCUMENTS_NOT_RECEIVED'], policyInput: null, at: at(50) }),
      ],
    },
    expected: {
      cycle: 1,
      cycleId: C1,
      stage: 'DECIDED',
      documents: { idDocument: { key: passport.key }, selfie: null },
      checks: { document: null, face: null, register: null },
      decision: { decisionId: 506, decision: 'FAIL', reasons: ['DOCUMENTS_NOT_RECEIVED'], source: 'AUTOMATIC' },
    },
  },
  {
    name: 'erased: closed where it was',
    facts: { ...decided, userStatus: 'ERASED' },
    expected: { stage: 'ERASED', waitingFor: [], decision: passedView },
  },
];

describe('kycStatusRecord', () => {
  it.each(cases)('$name', ({ facts, expected }) => {
    const record = kycStatusRecord(facts);
    expect(record).toMatchObject({ source: 'database', userId: 7, ignoredSignals: null, ...expected });
    // Every field the database does not hold is named, and a claim is shown only while a review is pending.
    expect(record.notRecorded).toContain('ignoredSignals');
    expect(record.cycleId === null).toBe(record.notRecorded.includes('cycleId'));
    if (record.stage !== 'AWAITING_REVIEW') expect(record).not.toHaveProperty('claimedBy');
  });
});
