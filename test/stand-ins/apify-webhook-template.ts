/**
 * Apify's webhook payload and headers templates: JSON in which `{{variable}}` or `{{variable.property}}` outside a
 * string is replaced by the variable's JSON (or `null` when it is missing or falsy, as Apify does), and, when the
 * webhook asks for string interpolation, inside strings too. Mirrors WebhookPayloadTemplate in apify-shared-js.
 */

/** The variables a template may use; anything else makes Apify reject the webhook. */
export const webhookTemplateVariables: ReadonlySet<string> = new Set([
  'userId',
  'createdAt',
  'eventType',
  'eventData',
  'resource',
  'globals',
]);

export const defaultPayloadTemplate = `{
    "userId": {{userId}},
    "createdAt": {{createdAt}},
    "eventType": {{eventType}},
    "eventData": {{eventData}},
    "resource": {{resource}}
}`;

export class InvalidWebhookTemplateError extends Error {
  override name = 'InvalidWebhookTemplateError';
}

function variableValue(path: string, context: Record<string, unknown>): unknown {
  const [variable = '', ...properties] = path.split('.');
  if (!webhookTemplateVariables.has(variable)) {
    throw new InvalidWebhookTemplateError(`Invalid payload template variable: ${path}`);
  }
  return properties.reduce<unknown>(
    (value, property) =>
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[property] : null,
    context[variable],
  );
}

/** Replaces each `{{…}}` that stands outside a JSON string with the variable's JSON. */
function replaceBareVariables(template: string, context: Record<string, unknown>): string {
  let output = '';
  let insideString = false;
  let index = 0;
  while (index < template.length) {
    const character = template[index];
    if (insideString && character === '\\') {
      output += template.slice(index, index + 2);
      index += 2;
      continue;
    }
    if (character === '"') insideString = !insideString;
    const closing = !insideString && template.startsWith('{{', index) ? template.indexOf('}}', index + 2) : -1;
    if (closing !== -1) {
      const value = variableValue(template.slice(index + 2, closing), context);
      output += value ? JSON.stringify(value) : 'null';
      index = closing + 2;
      continue;
    }
    output += character;
    index += 1;
  }
  return output;
}

const wholeVariable = /^\{\{([a-zA-Z0-9.]+)\}\}$/;
const embeddedVariable = /\{\{([a-zA-Z0-9.]+)\}\}/g;

/** A string that is exactly one variable takes the variable's value; otherwise each variable becomes its text. */
function interpolateStrings(value: unknown, context: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = wholeVariable.exec(value);
    if (whole?.[1] !== undefined) return variableValue(whole[1], context);
    return value.replace(embeddedVariable, (_match, path: string) => `${variableValue(path, context)}`);
  }
  if (Array.isArray(value)) return value.map((item) => interpolateStrings(item, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateStrings(item, context)]));
  }
  return value;
}

export function renderWebhookTemplate(
  template: string,
  context: Record<string, unknown>,
  options: { interpolateStrings?: boolean } = {},
): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(replaceBareVariables(template, context));
  } catch (error) {
    if (error instanceof InvalidWebhookTemplateError) throw error;
    throw new InvalidWebhookTemplateError(`Webhook template is not valid JSON: ${(error as Error).message}`);
  }
  return options.interpolateStrings ? interpolateStrings(parsed, context) : parsed;
}
