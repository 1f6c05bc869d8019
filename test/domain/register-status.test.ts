import { describe, expect, it } from 'vitest';
import { effectiveRestrictions, mapRegisterStanding } from '../../src/domain/register-status.ts';
import type { RegisterStanding, RegType } from '../../src/domain/registers.ts';

describe('mapRegisterStanding, status wording', () => {
  it.each<[RegType, string, RegisterStanding]>([
    // GMC
    ['GMC', 'Registered with a licence to practise', 'REGISTERED'],
    ['GMC', 'REGISTERED WITH A LICENSE TO PRACTICE', 'REGISTERED'],
    ['GMC', 'Licensed', 'REGISTERED'],
    ['GMC', 'Registered without a licence to practise', 'NOT_LICENSED'],
    ['GMC', 'Provisionally registered without a licence to practise', 'NOT_LICENSED'],
    ['GMC', 'Provisionally registered with a licence to practise', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GMC', 'Erased', 'REMOVED'],
    ['GMC', 'Not registered - Erased for administrative reasons', 'REMOVED'],
    ['GMC', 'Not registered - Relinquished', 'REMOVED'],
    ['GMC', 'Suspended', 'SUSPENDED'],
    ['GMC', 'Registered with a licence to practise - Conditions', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GMC', 'Registered with a licence to practise (undertakings)', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GMC', 'Registered with a licence to practise; warning', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GMC', 'Registered', 'REGISTERED_WITH_RESTRICTIONS'],
    // NMC
    ['NMC', 'Registered', 'REGISTERED'],
    ['NMC', 'Not currently practising', 'NOT_LICENSED'],
    ['NMC', 'Lapsed', 'NOT_LICENSED'],
    ['NMC', 'Removed by a fitness-to-practise panel', 'REMOVED'],
    ['NMC', 'Suspended by a fitness-to-practise panel', 'SUSPENDED'],
    ['NMC', 'Interim suspension order', 'SUSPENDED'],
    ['NMC', 'Conditions of practice order', 'REGISTERED_WITH_RESTRICTIONS'],
    ['NMC', 'Interim conditions of practice order', 'REGISTERED_WITH_RESTRICTIONS'],
    ['NMC', 'Undertakings', 'REGISTERED_WITH_RESTRICTIONS'],
    ['NMC', 'Caution', 'REGISTERED_WITH_RESTRICTIONS'],
    ['NMC', 'Caution order', 'REGISTERED_WITH_RESTRICTIONS'],
    // GDC
    ['GDC', 'Registered', 'REGISTERED'],
    ['GDC', 'Registered with a warning', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GDC', 'Registered with a reprimand', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GDC', 'Conditions', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GDC', 'Interim conditions', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GDC', 'Conditions following a hearing', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GDC', 'Suspension', 'SUSPENDED'],
    ['GDC', 'Interim suspension', 'SUSPENDED'],
    ['GDC', 'Erasure', 'REMOVED'],
    ['GDC', 'Erased', 'REMOVED'],
    // GPhC
    ['GPC', 'Registered', 'REGISTERED'],
    ['GPC', 'Registered (Independent prescriber)', 'REGISTERED'],
    ['GPC', 'Registered - Annotations: Independent Prescriber, Supplementary Prescriber', 'REGISTERED'],
    ['GPC', 'Conditions', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GPC', 'Suspended', 'SUSPENDED'],
    ['GPC', 'Removed', 'REMOVED'],
    // Unknown wording never maps to REGISTERED.
    ['GPC', 'Registered (pending renewal)', 'REGISTERED_WITH_RESTRICTIONS'],
    ['NMC', 'Registered - Registered Nurse (Adult)', 'REGISTERED_WITH_RESTRICTIONS'],
    ['GDC', 'Active', 'NOT_FOUND'],
    ['GMC', 'Verified', 'NOT_FOUND'],
    ['NMC', '', 'NOT_FOUND'],
    ['GPC', 'Not registered', 'REMOVED'],
  ])('%s "%s" is %s', (regType, statusText, standing) => {
    expect(mapRegisterStanding(regType, statusText, [])).toBe(standing);
  });
});

describe('mapRegisterStanding, restrictions on the entry', () => {
  it.each<[RegType, string, string[], RegisterStanding]>([
    [
      'GMC',
      'Registered with a licence to practise',
      ['Must not undertake unsupervised surgery'],
      'REGISTERED_WITH_RESTRICTIONS',
    ],
    ['NMC', 'Registered', ['Conditions of practice order'], 'REGISTERED_WITH_RESTRICTIONS'],
    ['GDC', 'Registered', ['Warning issued 2024-05-01'], 'REGISTERED_WITH_RESTRICTIONS'],
    ['GPC', 'Registered', ['Must not work as a responsible pharmacist'], 'REGISTERED_WITH_RESTRICTIONS'],
    ['GPC', 'Registered', ['Independent prescriber'], 'REGISTERED'],
    ['GPC', 'Registered', ['Supplementary prescriber', 'Independent Prescriber'], 'REGISTERED'],
    ['NMC', 'Registered', ['Nurse independent / supplementary prescriber'], 'REGISTERED'],
    ['GMC', 'Registered with a licence to practise', ['None', '', 'N/A'], 'REGISTERED'],
    ['GPC', 'Suspended', [], 'SUSPENDED'],
    ['GMC', 'Registered without a licence to practise', ['Conditions'], 'NOT_LICENSED'],
  ])('%s "%s" with %j is %s', (regType, statusText, restrictions, standing) => {
    expect(mapRegisterStanding(regType, statusText, restrictions)).toBe(standing);
  });

  it('keeps prescribing conditions, which restrict, while dropping prescriber qualifications', () => {
    expect(
      effectiveRestrictions(['Independent prescriber', 'Must not prescribe controlled drugs', 'None', '  ']),
    ).toEqual(['Must not prescribe controlled drugs']);
  });
});
