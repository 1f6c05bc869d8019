import { describe, expect, it } from 'vitest';
import type { CheckOutcomes, RegisterOutcome } from '../../src/domain/outcomes.ts';
import {
  type CurrentDecision,
  decideOnRegisterChange,
  implausibleBatch,
  type RegisterChange,
  registerChanges,
} from '../../src/domain/register-change.ts';
import { registerRecordFromItems } from '../../src/domain/register-records.ts';
import type { RegisterRecord } from '../../src/domain/registers.ts';
import { loadPolicy } from '../../src/policies.ts';

const BASELINE: RegisterRecord = {
  regType: 'GMC',
  regNo: '6143219',
  fullName: 'Jane Ann Doe',
  statusText: 'Registered with a licence to practise',
  standing: 'REGISTERED',
  restrictions: [],
};

describe('registerChanges: the fresh record against the one behind the current decision', () => {
  it.each<[string, RegisterRecord | null, Partial<RegisterRecord>, RegisterChange[]]>([
    ['nothing changed', BASELINE, {}, []],
    ['other wording for the same standing', BASELINE, { statusText: 'Licensed' }, []],
    ['name re-cased, reordered, with a title', BASELINE, { fullName: 'DR DOE, Jane Ann' }, []],
    ['suspended', BASELINE, { statusText: 'Suspended', standing: 'SUSPENDED' }, ['SUSPENDED']],
    ['erased', BASELINE, { statusText: 'Erased', standing: 'REMOVED' }, ['REMOVED']],
    ['lapsed', BASELINE, { statusText: 'Lapsed', standing: 'NOT_LICENSED' }, ['NOT_LICENSED']],
    [
      'licence withdrawn',
      BASELINE,
      { statusText: 'Registered without a licence to practise', standing: 'NOT_LICENSED' },
      ['NOT_LICENSED'],
    ],
    [
      'number no longer found',
      BASELINE,
      { fullName: null, statusText: 'Not found', standing: 'NOT_FOUND' },
      ['NOT_FOUND'],
    ],
    [
      'new conditions',
      BASELINE,
      { standing: 'REGISTERED_WITH_RESTRICTIONS', restrictions: ['Must work under supervision'] },
      ['NEW_RESTRICTIONS'],
    ],
    [
      'restricted by wording alone',
      BASELINE,
      { statusText: 'Undertakings', standing: 'REGISTERED_WITH_RESTRICTIONS' },
      ['NEW_RESTRICTIONS'],
    ],
    [
      'an undertaking beside a known condition',
      { ...BASELINE, standing: 'REGISTERED_WITH_RESTRICTIONS', restrictions: ['Must work under supervision'] },
      { standing: 'REGISTERED_WITH_RESTRICTIONS', restrictions: ['must work under supervision.', 'No night shifts'] },
      ['NEW_RESTRICTIONS'],
    ],
    [
      'the same condition, re-punctuated',
      { ...BASELINE, standing: 'REGISTERED_WITH_RESTRICTIONS', restrictions: ['Must work under supervision'] },
      { standing: 'REGISTERED_WITH_RESTRICTIONS', restrictions: ['MUST work under supervision.'] },
      [],
    ],
    [
      'conditions lifted',
      { ...BASELINE, standing: 'REGISTERED_WITH_RESTRICTIONS', restrictions: ['Must work under supervision'] },
      {},
      [],
    ],
    ['changed name', BASELINE, { fullName: 'Jane Ann Smith' }, ['NAME_CHANGED']],
    ['middle name dropped', BASELINE, { fullName: 'Jane Doe' }, ['NAME_CHANGED']],
    [
      'suspended under another name',
      BASELINE,
      { fullName: 'Jane Smith', standing: 'SUSPENDED', statusText: 'Suspended' },
      ['SUSPENDED', 'NAME_CHANGED'],
    ],
    ['still suspended', { ...BASELINE, standing: 'SUSPENDED' }, { standing: 'SUSPENDED' }, []],
    ['back in good standing', { ...BASELINE, standing: 'SUSPENDED' }, {}, []],
    ['a renewal date moved on', { ...BASELINE, renewalDate: '2026-12-01' }, { renewalDate: '2027-12-01' }, []],
    ['no baseline, registered', null, {}, []],
    ['no baseline, suspended', null, { standing: 'SUSPENDED' }, ['SUSPENDED']],
    ['no baseline, another name', null, { fullName: 'Someone Else' }, []],
  ])('%s', (_, baseline, fresh, expected) => {
    expect(registerChanges(baseline, { ...BASELINE, ...fresh })).toEqual(expected);
  });

  it('does not see a new address: the register item differs, the record does not', () => {
    const item = { gmcReferenceNumber: '6143219', fullName: 'Jane Ann Doe', registrationStatus: BASELINE.statusText };
    const before = registerRecordFromItems('GMC', '6143219', [{ ...item, address: '1 Old Street, Leeds' }]);
    const after = registerRecordFromItems('GMC', '6143219', [{ ...item, address: '9 New Road, York' }]);
    expect(registerChanges(before, after)).toEqual([]);
  });

  it('reads a renewal date from the aliases registers use, and leaves out what is not a date', () => {
    const item = { pin: '01A2345N', name: 'Ann Nurse', registrationStatus: 'Registered' };
    expect(registerRecordFromItems('NMC', '01A2345N', [{ ...item, renewalDate: '2027-03-31' }]).renewalDate).toBe(
      '2027-03-31',
    );
    expect(registerRecordFromItems('NMC', '01A2345N', [{ ...item, expiryDate: '31/03/2027' }]).renewalDate).toBe(
      '2027-03-31',
    );
    expect(registerRecordFromItems('NMC', '01A2345N', [{ ...item, renewalDate: 'soon' }]).renewalDate).toBeUndefined();
  });
});

const GOOD: CheckOutcomes = {
  document: { status: 'READ', expired: false, checkDigitsValid: true, fieldsComplete: true },
  face: { status: 'COMPARED', similarity: 0.93, liveness: 'PASSED', selfieQuality: 'OK' },
  register: { status: 'CHECKED', standing: 'REGISTERED', nameMatch: 'EXACT' },
};
const BORDERLINE_FACE: CheckOutcomes = {
  ...GOOD,
  face: { status: 'COMPARED', similarity: 0.7, liveness: 'PASSED', selfieQuality: 'OK' },
};
const AUTOMATIC_PASS: CurrentDecision = { decision: 'PASS', source: 'AUTOMATIC' };
const CS_PASS: CurrentDecision = { decision: 'PASS', source: 'CS' };
const checked = (standing: RegisterRecord['standing'], nameMatch: 'EXACT' | 'MISMATCH' = 'EXACT'): RegisterOutcome => ({
  status: 'CHECKED',
  standing,
  nameMatch,
});

describe('decideOnRegisterChange: the same policy over the stored outcomes and the fresh register', () => {
  it.each<[string, CheckOutcomes, RegisterOutcome, RegisterChange[], CurrentDecision, string, string[]]>([
    ['suspended', GOOD, checked('SUSPENDED'), ['SUSPENDED'], AUTOMATIC_PASS, 'FAIL', ['REGISTER_SUSPENDED']],
    ['erased', GOOD, checked('REMOVED'), ['REMOVED'], AUTOMATIC_PASS, 'FAIL', ['REGISTER_REMOVED']],
    ['lapsed', GOOD, checked('NOT_LICENSED'), ['NOT_LICENSED'], AUTOMATIC_PASS, 'FAIL', ['REGISTER_NOT_LICENSED']],
    [
      'new conditions',
      GOOD,
      checked('REGISTERED_WITH_RESTRICTIONS'),
      ['NEW_RESTRICTIONS'],
      AUTOMATIC_PASS,
      'MANUAL_REVIEW',
      ['REGISTER_RESTRICTIONS'],
    ],
    ['not found', GOOD, checked('NOT_FOUND'), ['NOT_FOUND'], AUTOMATIC_PASS, 'MANUAL_REVIEW', ['REGISTER_NOT_FOUND']],
    [
      'changed name no longer matching the document',
      GOOD,
      checked('REGISTERED', 'MISMATCH'),
      ['NAME_CHANGED'],
      AUTOMATIC_PASS,
      'MANUAL_REVIEW',
      ['REGISTER_NAME_MISMATCH'],
    ],
    [
      'changed name still matching the document goes to a person all the same',
      GOOD,
      checked('REGISTERED'),
      ['NAME_CHANGED'],
      AUTOMATIC_PASS,
      'MANUAL_REVIEW',
      ['REGISTER_NAME_MISMATCH'],
    ],
    [
      'suspended after CS passed a borderline face: only the register speaks',
      BORDERLINE_FACE,
      checked('SUSPENDED'),
      ['SUSPENDED'],
      CS_PASS,
      'FAIL',
      ['REGISTER_SUSPENDED'],
    ],
    [
      'new conditions after CS passed a borderline face',
      BORDERLINE_FACE,
      checked('REGISTERED_WITH_RESTRICTIONS'),
      ['NEW_RESTRICTIONS'],
      CS_PASS,
      'MANUAL_REVIEW',
      ['REGISTER_RESTRICTIONS'],
    ],
    [
      'suspended while in review for a borderline face: every reason stays',
      BORDERLINE_FACE,
      checked('SUSPENDED'),
      ['SUSPENDED'],
      { decision: 'MANUAL_REVIEW', source: 'AUTOMATIC' },
      'FAIL',
      ['REGISTER_SUSPENDED', 'FACE_MATCH_BORDERLINE'],
    ],
    [
      'suspended under another name',
      GOOD,
      checked('SUSPENDED', 'MISMATCH'),
      ['SUSPENDED', 'NAME_CHANGED'],
      AUTOMATIC_PASS,
      'FAIL',
      ['REGISTER_SUSPENDED', 'REGISTER_NAME_MISMATCH'],
    ],
  ])('%s', (_, stored, register, changes, current, decision, reasons) => {
    expect(decideOnRegisterChange(stored, register, changes, current, loadPolicy('v1'))).toEqual({
      decision,
      reasons,
    });
  });
});

describe('implausibleBatch: an answer no register gives, failed instead of sending everyone to review', () => {
  it.each<[string, { numbers: number; notFound: number; itemsReturned: number | null }, boolean]>([
    ['an actor that ignored the list', { numbers: 1000, notFound: 1000, itemsReturned: 0 }, true],
    ['an actor asked for one number that is not on the register', { numbers: 1, notFound: 1, itemsReturned: 0 }, false],
    ['an actor answering a few numbers not found', { numbers: 1000, notFound: 3, itemsReturned: 997 }, false],
    ['a file missing most of a batch', { numbers: 1000, notFound: 600, itemsReturned: null }, true],
    ['a file missing half of a batch', { numbers: 1000, notFound: 500, itemsReturned: null }, false],
    ['a small batch with most not found', { numbers: 4, notFound: 3, itemsReturned: null }, false],
  ])('%s', (_, batch, expected) => {
    expect(implausibleBatch(batch)).toBe(expected);
  });
});
