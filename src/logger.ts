/**
 * The service's pino logger. PII must never reach a log line: code logs ids and outcomes only, and these redaction
 * paths catch any field that could still carry a name, date of birth, document number, email or image.
 */
import { type Logger, pino } from 'pino';
import pinoPretty from 'pino-pretty';

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

/**
 * JSON lines, for log collectors; or, when no destination is given and stdout is a terminal, the same records made
 * readable by pino-pretty (after redaction, which happens before any destination sees a record).
 */
export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  const destination =
    options.destination ??
    (process.stdout.isTTY
      ? pinoPretty({
          sync: true,
          colorize: true,
          singleLine: true,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname,service,sdkComponent',
        })
      : // Written as they come, so that they stay in order with what the process writes to stdout itself.
        pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers,
      base: { service: 'kyc' },
    },
    destination,
  );
}

export type { Logger };
