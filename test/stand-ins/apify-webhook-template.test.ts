import { describe, expect, it } from 'vitest';
import { InvalidWebhookTemplateError, renderWebhookTemplate } from './apify-webhook-template.ts';

const context = {
  userId: 'u1',
  eventType: 'ACTOR.RUN.SUCCEEDED',
  eventData: { actorId: 'a1', actorRunId: 'r1' },
  resource: { id: 'r1', exitCode: 0, stats: { restartCount: 0 } },
};

describe('renderWebhookTemplate', () => {
  it('replaces bare variables with their JSON, following dotted paths', () => {
    expect(renderWebhookTemplate('{"run": {{resource.id}}, "data": [{{eventData}}]}', context)).toEqual({
      run: 'r1',
      data: [{ actorId: 'a1', actorRunId: 'r1' }],
    });
  });

  it('renders missing and falsy values as null, as Apify does', () => {
    expect(renderWebhookTemplate('{"a": {{resource.nothing.deeper}}, "b": {{resource.exitCode}}}', context)).toEqual({
      a: null,
      b: null,
    });
  });

  it('leaves variables inside strings alone, escaped quotes included, unless asked to interpolate', () => {
    const template = '{"quoted": "say \\"{{userId}}\\"", "whole": "{{eventData}}"}';

    expect(renderWebhookTemplate(template, context)).toEqual({ quoted: 'say "{{userId}}"', whole: '{{eventData}}' });
    expect(renderWebhookTemplate(template, context, { interpolateStrings: true })).toEqual({
      quoted: 'say "u1"',
      whole: { actorId: 'a1', actorRunId: 'r1' },
    });
  });

  it('rejects unknown variables and templates that are not JSON', () => {
    expect(() => renderWebhookTemplate('{"a": {{secret}}}', context)).toThrow(InvalidWebhookTemplateError);
    expect(() => renderWebhookTemplate('{"a": {{userId}}', context)).toThrow(/not valid JSON/);
  });
});
