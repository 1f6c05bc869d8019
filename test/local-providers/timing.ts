/** "mean 812 ms, p95 1040 ms per image (n = 20)": a measurement to report, never asserted on. */
export function timingSummary(milliseconds: readonly number[]): string {
  const sorted = [...milliseconds].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? Number.NaN;
  return `mean ${Math.round(mean)} ms, p95 ${Math.round(p95)} ms per image (n = ${sorted.length})`;
}
