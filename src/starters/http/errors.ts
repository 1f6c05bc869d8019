/** Every error the HTTP API returns is `{ "error": { "code": "<STABLE_CODE>", "message": "…" } }`. */
import type { FastifyError, FastifyInstance } from 'fastify';

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Fastify's own errors (body too large, bad JSON, multipart limits) mapped to stable codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_REQ_FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  FST_PARTS_LIMIT: 'TOO_MANY_PARTS',
  FST_FILES_LIMIT: 'TOO_MANY_FILES',
  FST_FIELDS_LIMIT: 'TOO_MANY_FIELDS',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'NOT_MULTIPART',
  FST_PROTO_VIOLATION: 'INVALID_JSON',
};

/**
 * busboy's own errors (it parses multipart bodies for @fastify/multipart) carry no code, only these messages: a
 * body cut short, a multipart content type without a boundary. They are the client's malformed request.
 */
const MALFORMED_MULTIPART =
  /^(Multipart: Boundary not found|Boundary required|Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data|Malformed part header|Unsupported Content-Type\.|Missing Content-Type-header\.)/;

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const send = (status: number, code: string, message: string) =>
      reply.status(status).send({ error: { code, message } });
    if (error instanceof HttpError) return send(error.status, error.code, error.message);
    if (MALFORMED_MULTIPART.test(error.message)) return send(400, 'MALFORMED_MULTIPART', error.message);
    const status = error.statusCode ?? 500;
    if (status < 500) return send(status, FASTIFY_CODES[error.code] ?? 'BAD_REQUEST', error.message);
    request.log.error({ err: error }, 'request failed');
    return send(500, 'INTERNAL', 'internal error');
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }),
  );
}
