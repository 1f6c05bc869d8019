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

/**
 * Requests are logged by method, path and id only: never their bodies (sign-ups, uploads) or query strings. Responses
 * by status only.
 */
const serializers = {
  req: (request: { method?: string; url?: string; id?: string }) => ({
    method: request.method,
    path: request.url?.split('?')[0]?.replace(/\/codec\/[^/]+\/(en|de)code$/, '/codec/[token]/$1code'),
    id: request.id,
  }),
  res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
};

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers,
      base: { service: 'kyc' },
    },
    options.destination,
  );
}

export type { Logger };
