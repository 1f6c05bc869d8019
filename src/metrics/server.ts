/**
 * `GET /metrics` on its own port, apart from the public HTTP service: this process's registry, followed by the
 * Temporal runtime's own Prometheus output when this process runs a worker (the SDK serves it on a loopback port
 * of its own, see `temporalRuntimeTelemetry`), so one scrape target per process carries both.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RuntimeOptions } from '@temporalio/worker';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  url: string;
  stop(): Promise<void>;
}

/** Runtime options that make the Temporal SDK serve its metrics on `127.0.0.1:<port>` (once per process). */
export function temporalRuntimeTelemetry(port: number): Pick<RuntimeOptions, 'telemetryOptions'> {
  return { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } } };
}

export async function startMetricsServer(options: {
  registry: Registry;
  host: string;
  port: number;
  /** The Temporal runtime's Prometheus endpoint, e.g. http://127.0.0.1:9465/metrics */
  temporalRuntimeMetricsUrl?: string;
}): Promise<MetricsServer> {
  const { registry, temporalRuntimeMetricsUrl } = options;
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    void (async () => {
      try {
        const own = await registry.metrics();
        const runtime = temporalRuntimeMetricsUrl
          ? await fetch(temporalRuntimeMetricsUrl, { signal: AbortSignal.timeout(5_000) }).then((reply) =>
              reply.ok ? reply.text() : '',
            )
          : '';
        response.writeHead(200, { 'content-type': registry.contentType }).end(`${own}\n${runtime}`);
      } catch {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/metrics`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
