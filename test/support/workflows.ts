// The one workflow bundle for the whole test run: the service's workflows plus the harness's own smoke workflows.
export * from '../workflows/smoke.ts';
