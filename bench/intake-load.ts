/**
 * The intake load, in a process of its own so that it takes nothing from the doors' event loop: autocannon at a fixed
 * concurrency against one door, each request with a body of its own — a new registration number for `POST /users`,
 * the next enrolled user for the document upload. Reads its orders from BENCH_INTAKE_LOAD, answers over IPC.
 */
import autocannon from 'autocannon';
import { documentsForm } from './uploads.ts';

export interface IntakeLoadOptions {
  url: string;
  door: 'users' | 'documents';
  connections: number;
  durationSeconds: number;
  token: string;
  /** `POST /users` numbers its users from here; seven digits, as GMC numbers have. */
  firstRegistrationNumber: number;
  /** The users the document uploads go to, in turn. */
  userIds: number[];
}

const options = JSON.parse(process.env.BENCH_INTAKE_LOAD ?? '{}') as IntakeLoadOptions;
const authorization = `Bearer ${options.token}`;

/**
 * The same body for every request, so it names no Face Liveness session: a session is single-use and bound to one
 * user, and the door refuses a reused one (README, Fraud controls).
 */
async function documentsRequest(): Promise<autocannon.Request> {
  const encoded = new Response(documentsForm(undefined));
  return {
    method: 'POST',
    headers: { authorization, 'content-type': encoded.headers.get('content-type') ?? '' },
    body: Buffer.from(await encoded.arrayBuffer()),
  };
}

let sent = 0;
const request: autocannon.Request =
  options.door === 'users'
    ? {
        method: 'POST',
        path: '/users',
        headers: { authorization, 'content-type': 'application/json' },
        setupRequest: (next) => {
          const registrationNumber = options.firstRegistrationNumber + sent++;
          return {
            ...next,
            body: JSON.stringify({
              email: `intake-${registrationNumber}@example.org`,
              reg_type: 'GMC',
              reg_no: String(registrationNumber),
            }),
          };
        },
      }
    : {
        ...(await documentsRequest()),
        setupRequest: (next) => ({
          ...next,
          path: `/users/${options.userIds[sent++ % options.userIds.length]}/documents`,
        }),
      };

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.durationSeconds,
  requests: [request],
});
process.send?.(result, () => process.disconnect());
