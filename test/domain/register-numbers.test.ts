import { describe, expect, it } from 'vitest';
import { normaliseRegistrationNumber, REGISTRATION_NUMBER_FORMATS } from '../../src/domain/register-numbers.ts';
import { REG_TYPES, type RegType } from '../../src/domain/registers.ts';

describe('normaliseRegistrationNumber', () => {
  it.each<[RegType, string, string]>([
    ['GMC', '6143219', '6143219'],
    ['GMC', ' 614 3219 ', '6143219'],
    ['GMC', '0012345', '0012345'],
    ['NMC', '01A2345N', '01A2345N'],
    ['NMC', '01a2345n', '01A2345N'],
    ['NMC', ' 01A 2345 N', '01A2345N'],
    ['GDC', '81234', '81234'],
    ['GDC', '1', '1'],
    ['GDC', '1234567', '1234567'],
    ['GPC', '2071234', '2071234'],
    ['GPC', '5012345', '5012345'],
    ['GPC', '2 071 234', '2071234'],
  ])('accepts %s %s as %s', (regType, input, regNo) => {
    expect(normaliseRegistrationNumber(regType, input)).toEqual({ ok: true, regNo });
  });

  it.each<[RegType, string, string]>([
    ['GMC', '614321', 'GMC numbers are 7 digits, e.g. 6143219'],
    ['GMC', '61432190', 'GMC numbers are 7 digits, e.g. 6143219'],
    ['GMC', 'L614321', 'GMC numbers are 7 digits, e.g. 6143219'],
    ['GMC', '614-3219', 'GMC numbers are 7 digits, e.g. 6143219'],
    ['GMC', '', 'GMC numbers are 7 digits, e.g. 6143219'],
    ['NMC', '0112345N', 'NMC PINs are 2 digits, a letter, 4 digits and a letter, e.g. 01A2345N'],
    ['NMC', '01A23456', 'NMC PINs are 2 digits, a letter, 4 digits and a letter, e.g. 01A2345N'],
    ['NMC', '1A2345N', 'NMC PINs are 2 digits, a letter, 4 digits and a letter, e.g. 01A2345N'],
    ['GDC', '12345678', 'GDC numbers are up to 7 digits, e.g. 81234'],
    ['GDC', 'D81234', 'GDC numbers are up to 7 digits, e.g. 81234'],
    [
      'GPC',
      '1071234',
      'GPhC numbers are 7 digits, starting with 2 for pharmacists or 5 for pharmacy technicians, e.g. 2071234',
    ],
    [
      'GPC',
      '207123',
      'GPhC numbers are 7 digits, starting with 2 for pharmacists or 5 for pharmacy technicians, e.g. 2071234',
    ],
  ])('refuses %s %j', (regType, input, message) => {
    expect(normaliseRegistrationNumber(regType, input)).toEqual({ ok: false, message });
  });

  it.each(REG_TYPES)('gives %s an example that its own format accepts', (regType) => {
    const { example } = REGISTRATION_NUMBER_FORMATS[regType];
    expect(normaliseRegistrationNumber(regType, example)).toEqual({ ok: true, regNo: example });
  });
});
