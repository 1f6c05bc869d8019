/**
 * The Grafana dashboard and the Prometheus alert rules: every expression parses as PromQL (Prometheus' own Lezer
 * grammar), and every metric it names exists — in the service's registry, in prom-client's process metrics, or among
 * the Temporal SDK's metrics. The compose file's Prometheus loads the rules and scrapes both processes.
 */
import { readFileSync } from 'node:fs';
import { parser } from '@prometheus-io/lezer-promql';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SERVICE_METRIC_NAMES } from '../../src/metrics/service-metrics.ts';
import { TEMPORAL_SDK_METRICS } from './temporal-sdk-metrics.ts';

const processMetrics = new Registry();
collectDefaultMetrics({ register: processMetrics });
const KNOWN = new Set<string>([
  ...SERVICE_METRIC_NAMES,
  ...TEMPORAL_SDK_METRICS,
  ...processMetrics.getMetricsAsArray().map((metric) => metric.name),
]);

/** The metric names in a PromQL expression; throws on a syntax error. */
function metricNames(expr: string): string[] {
  const tree = parser.parse(expr);
  const names: string[] = [];
  let error: string | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error ??= `syntax error at ${node.from} in: ${expr}`;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.push(expr.slice(node.from, node.to));
      }
    },
  });
  if (error) throw new Error(error);
  return names.map((name) => name.replace(/_(bucket|sum|count)$/, ''));
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const readYaml = (path: string) => parse(readFileSync(path, 'utf8'));

it('parses the expressions and finds the names, and refuses bad ones', () => {
  expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(temporal_request_latency_bucket[5m])))')).toEqual([
    'temporal_request_latency',
  ]);
  expect(() => metricNames('sum(rate(kyc_decisions[5m]) by')).toThrow(/syntax error/);
});

describe('the Grafana dashboard', () => {
  const dashboard = readJson('deploy/grafana/kyc-dashboard.json');
  const panels = (dashboard.panels as Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>).filter(
    (panel) => panel.type !== 'row',
  );

  it('names only metrics that exist, in valid PromQL', () => {
    const used = new Set<string>();
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets ?? []) {
        const promql = expr.replaceAll('$__rate_interval', '5m').replaceAll(/\$\{?\w+\}?/g, '.*');
        for (const name of metricNames(promql)) {
          expect(KNOWN, `${panel.title}: ${name}`).toContain(name);
          used.add(name);
        }
      }
    }
    // Every metric the service defines is on the dashboard.
    for (const name of SERVICE_METRIC_NAMES) expect(used, name).toContain(name);
    for (const variable of dashboard.templating.list as Array<{ query: unknown }>) {
      const query = typeof variable.query === 'string' ? variable.query : (variable.query as { query: string }).query;
      const selector = /^label_values\((\w+),/.exec(query);
      if (selector) expect(KNOWN).toContain(selector[1]);
    }
  });

  it('has the panels of the SDK dashboard that the alerts watch', () => {
    const titles = panels.map((panel) => panel.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Pollers',
        'Workflow task schedule-to-start latency (p99)',
        'Workflow task failures by reason',
        'Dead-letter queue depth',
        'NEEDS_ATTENTION cases',
      ]),
    );
    expect(new Set(dashboard.panels.map((panel: { id: number }) => panel.id)).size).toBe(dashboard.panels.length);
  });
});

describe('the Prometheus alert rules', () => {
  const rules = (readYaml('deploy/prometheus/alerts.yml').groups as Array<{ rules: Array<Record<string, unknown>> }>)
    .flatMap((group) => group.rules)
    .map((rule) => rule as { alert: string; expr: string; annotations: { summary: string; description: string } });

  it('covers the recommended worker alerts and the service alerts', () => {
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'TemporalNoPollers',
        'TemporalNonDeterminism',
        'TemporalWorkflowTaskScheduleToStartSlow',
        'TemporalResourceExhausted',
        'KycDeadLetters',
        'KycNeedsAttention',
        'KycReviewWaitingTooLong',
      ]),
    );
    const byName = Object.fromEntries(rules.map((rule) => [rule.alert, rule.expr]));
    expect(byName.TemporalNonDeterminism).toContain('failure_reason="NonDeterminismError"');
    expect(byName.TemporalResourceExhausted).toContain('status_code="RESOURCE_EXHAUSTED"');
    // The TypeScript SDK reports latencies in milliseconds: 5 s is 5000.
    expect(byName.TemporalWorkflowTaskScheduleToStartSlow).toMatch(/^histogram_quantile\(0\.99,.*> 5000$/);
  });

  it('names only metrics that exist, in valid PromQL, each with a summary and a description', () => {
    for (const rule of rules) {
      for (const name of metricNames(rule.expr)) expect(KNOWN, `${rule.alert}: ${name}`).toContain(name);
      expect(rule.annotations.summary.length, rule.alert).toBeGreaterThan(10);
      expect(rule.annotations.description.length, rule.alert).toBeGreaterThan(20);
    }
  });

  it('is loaded by the compose Prometheus, which scrapes the worker and the HTTP service', () => {
    const config = readYaml('deploy/prometheus/prometheus.yml');
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    const targets = config.scrape_configs.flatMap((job: { static_configs: Array<{ targets: string[] }> }) =>
      job.static_configs.flatMap((c) => c.targets),
    );
    expect(targets.sort()).toEqual(['kyc-api:9464', 'kyc-worker:9464']);
    const compose = readYaml('docker-compose.yml');
    expect(compose.services.prometheus.volumes).toEqual(
      expect.arrayContaining([
        './deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        './deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro',
      ]),
    );
    expect(compose.services.grafana.volumes).toEqual(
      expect.arrayContaining(['./deploy/grafana/kyc-dashboard.json:/var/lib/grafana/dashboards/kyc-dashboard.json:ro']),
    );
    for (const service of ['kyc-worker', 'kyc-api']) {
      expect(compose.services[service].environment.KYC_METRICS_PORT, service).toBe('9464');
    }
  });
});
