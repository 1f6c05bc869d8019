/** Summaries of measured samples, and their formatting in the results table. */

/** The nearest-rank percentile (0 < p ≤ 100) of the samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function sum(samples: readonly number[]): number {
  return samples.reduce((total, sample) => total + sample, 0);
}

export function sleep(ms: number): Promise<void> {
  // An open-loop driver that has fallen behind asks for a negative wait: go at once.
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
}

export function perSecond(value: number): string {
  return `${value.toFixed(1)}/s`;
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-GB');
}
