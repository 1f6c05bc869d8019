/**
 * The service's pino logger. PII must never reach a log line: code logs ids and outcomes only, and these redaction
 * paths catch any field that could still carry a name, date of birth, document number, email or image.
 */
import { type Logger, pino } from 'pino';

export const REDACTED_PATHS = [
  'email',
  '*.email',
  'name',
  '*.name',
  'fullName',
  '*.fullName',
  'parsedName',
  '*.parsedName',
  'surname',
  '*.surname',
  'givenNames',
  '*.givenNames',
  'birthDate',
  '*.birthDate',
  'dob',
  '*.dob',
  'documentNumber',
  '*.documentNumber',
  'regNo',
  '*.regNo',
  'reg_no',
  '*.reg_no',
  'note',
  '*.note',
  'body',
  '*.body',
  'image',
  '*.image',
  'req.headers.authorization',
  'headers.authorization',
];

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'kyc' },
    },
    options.destination,
  );
}

export type { Logger };
