import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('gives local defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.KYC_TASK_QUEUE).toBe('kyc');
    expect(config.KYC_REGISTER_WEBHOOK_TIMEOUT).toBe(30 * 60 * 1000);
    expect(config.KYC_FACE_PASS_THRESHOLD).toBe(0.9);
    expect(config.KYC_WORKER_MAX_CACHED_WORKFLOWS).toBe(500);
  });

  it('reads durations and numbers', () => {
    const config = loadConfig({
      KYC_CS_REMINDER_AFTER: '2h',
      DATABASE_POOL_SIZE: '4',
      KYC_WORKER_MAX_CACHED_WORKFLOWS: '2000',
    });
    expect(config.KYC_CS_REMINDER_AFTER).toBe(7_200_000);
    expect(config.DATABASE_POOL_SIZE).toBe(4);
    expect(config.KYC_WORKER_MAX_CACHED_WORKFLOWS).toBe(2000);
  });

  it.each([
    ['DATABASE_URL', 'not a url'],
    ['KYC_FACE_PASS_THRESHOLD', '1.5'],
    ['KYC_DOCUMENTS_TIMEOUT', 'fortnight'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_POOL_SIZE', '0'],
    ['KYC_WORKER_MAX_CACHED_WORKFLOWS', '1'],
  ])('fails fast naming %s when it is %j', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrowError(
      new RegExp(`^Invalid configuration:\\n  ${variable}:`),
    );
  });
});
