/**
 * The codec server for the Temporal Web UI (`POST /codec/decode`, `POST /codec/encode`), as Temporal's docs describe
 * it: proto-JSON payloads in, proto-JSON payloads out, CORS for the UI's origin, the `X-Namespace` header allowed.
 * Only the ops role may use it. A UI that cannot send headers can be given an endpoint with the ops token in its
 * path (`/codec/<token>`), which local `npm start` does for its own Web UI.
 */
import cors from '@fastify/cors';
import { type Payload, ValueError } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { parseBody } from './request.ts';

const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64')
  .max(4 * 1024 * 1024);
const payloadsSchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() })).max(1000),
});

type JsonPayload = z.infer<typeof payloadsSchema>['payloads'][number];

function fromJson({ metadata, data }: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([name, value]) => [name, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(data ?? '', 'base64'),
  };
}

function toJson({ metadata, data }: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(metadata ?? {}).map(([name, value]) => [name, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(data ?? []).toString('base64'),
  };
}

export async function registerCodecRoutes(
  app: FastifyInstance,
  deps: HttpDeps & { corsOrigins: string[] },
): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(cors, {
      origin: deps.corsOrigins,
      methods: ['POST'],
      allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
      credentials: true,
    });
    for (const direction of ['encode', 'decode'] as const) {
      const handler = async (request: { body: unknown }) => {
        const { payloads } = parseBody(payloadsSchema, request.body);
        try {
          const converted = await deps.codec[direction](payloads.map(fromJson));
          return { payloads: converted.map(toJson) };
        } catch (error) {
          // The codec refuses what it cannot decrypt (altered, truncated, another key's) with a ValueError.
          if (error instanceof ValueError) throw new HttpError(422, 'UNDECODABLE_PAYLOAD', error.message);
          throw error;
        }
      };
      scope.post(`/codec/${direction}`, { preHandler: deps.requireRole('ops') }, handler);
      scope.post(`/codec/:token/${direction}`, { preHandler: deps.requireRole('ops') }, handler);
    }
  });
}
