/** What every stand-in server shares: a loopback listener on a free port, body reading and a clean close. */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

export interface LocalServer {
  /** http://127.0.0.1:<port>, without a trailing slash. */
  origin: string;
  close(): Promise<void>;
}

export async function listenOnLoopback(handler: RequestListener): Promise<LocalServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  // SDK and fetch clients keep sockets alive; without this close() waits for their idle timeout.
  server.closeAllConnections();
  await closed;
}

const decoders: Record<string, (input: Buffer) => Promise<Buffer>> = {
  br: promisify(brotliDecompress),
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
};

/** The request body, decompressed when the client sent it with a Content-Encoding (apify-client does from 1 KiB). */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = request.headers['content-encoding'];
  if (!encoding || encoding === 'identity') return raw;
  const decode = decoders[encoding];
  if (!decode) throw new Error(`unsupported Content-Encoding ${encoding}`);
  return decode(raw);
}

export function writeResponse(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string | number>,
): void {
  response.writeHead(status, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
