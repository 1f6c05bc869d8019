/** Registration numbers as people type them, checked against each register's format before any look-up is paid for. */
import type { RegType } from './registers.ts';

export interface RegistrationNumberFormat {
  /** The register's name as users know it. */
  register: string;
  /** A sentence naming the expected format, shown to users. */
  description: string;
  example: string;
  pattern: RegExp;
}

export const REGISTRATION_NUMBER_FORMATS: Readonly<Record<RegType, RegistrationNumberFormat>> = {
  /**
   * GMC reference numbers are 7 digits. Some old guidance mentions an L-prefixed number for limited registration,
   * a category closed decades ago; no current doctor holds one, so it is not accepted.
   */
  GMC: {
    register: 'GMC',
    description: 'GMC numbers are 7 digits',
    example: '6143219',
    pattern: /^\d{7}$/,
  },
  /** NMC PINs are 8 characters: 2 digits, a letter, 4 digits and a letter. */
  NMC: {
    register: 'NMC',
    description: 'NMC PINs are 2 digits, a letter, 4 digits and a letter',
    example: '01A2345N',
    pattern: /^\d{2}[A-Z]\d{4}[A-Z]$/,
  },
  /**
   * The GDC does not publish a length for its registration numbers, and long-standing registrants hold shorter ones
   * than recent registrants; any run of up to 7 digits is accepted and the register look-up settles the rest.
   */
  GDC: {
    register: 'GDC',
    description: 'GDC numbers are up to 7 digits',
    example: '81234',
    pattern: /^\d{1,7}$/,
  },
  /**
   * GPhC registration numbers are 7 digits: pharmacists' start with 2 and pharmacy technicians' with 5 (the NHS
   * Data Dictionary says the same of technicians). Any other first digit is no person's number on the two registers
   * this service checks, so it is refused rather than looked up.
   */
  GPC: {
    register: 'GPhC',
    description: 'GPhC numbers are 7 digits, starting with 2 for pharmacists or 5 for pharmacy technicians',
    example: '2071234',
    pattern: /^[25]\d{6}$/,
  },
};

/** Trims, upper-cases and drops inner spaces, then checks the register's format. */
export function normaliseRegistrationNumber(
  regType: RegType,
  input: string,
): { ok: true; regNo: string } | { ok: false; message: string } {
  const format = REGISTRATION_NUMBER_FORMATS[regType];
  const regNo = input.replace(/\s+/g, '').toUpperCase();
  if (format.pattern.test(regNo)) return { ok: true, regNo };
  return { ok: false, message: `${format.description}, e.g. ${format.example}` };
}
