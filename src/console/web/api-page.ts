// The API page: the OpenAPI document (`/_stagecraft/openapi.json`) rendered for people, with a
// "try it" form per operation that sends the request to the chosen stage from this page.
import type {
  JsonSchema,
  OpenApiDocument,
  OpenApiOperation,
  OpenApiParameter,
} from '../openapi.ts';
import { h, replace } from './dom.ts';

const BODY_SCHEMA_PREFIX = '#/components/schemas/';

function resolve(doc: OpenApiDocument, schema: JsonSchema | undefined): JsonSchema | undefined {
  const ref = schema?.$ref;
  if (typeof ref === 'string' && ref.startsWith(BODY_SCHEMA_PREFIX)) {
    return doc.components.schemas[ref.slice(BODY_SCHEMA_PREFIX.length)];
  }
  return schema;
}

// An example body from a schema: each required string field gets a readable value.
function exampleBody(schema: JsonSchema | undefined): string {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema?.required ?? []) as string[];
  const body: Record<string, unknown> = {};
  for (const name of required) {
    body[name] = properties[name]?.type === 'string' ? 'Ada Lovelace' : 1;
  }
  return JSON.stringify(body, null, 2);
}

// One id for every form, so a user created by POST is there for GET and DELETE.
let sharedId: string | undefined;
function randomId(): string {
  if (sharedId !== undefined) return sharedId;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  sharedId = `user${[...bytes].map((b) => alphabet[b % alphabet.length]).join('')}`;
  return sharedId;
}

let fieldCount = 0;
function field(label: string, control: HTMLElement): HTMLElement {
  const id = `f${++fieldCount}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

function tryForm(
  doc: OpenApiDocument,
  path: string,
  method: string,
  operation: OpenApiOperation,
): HTMLFormElement {
  const title = `${method.toUpperCase()} ${path}`;
  const stage = h(
    'select',
    { name: 'server' },
    ...doc.servers.map((server) => h('option', { value: server.url }, server.description)),
  );
  const params = operation.parameters.map((param: OpenApiParameter) => {
    const input = h('input', {
      name: `${param.in}:${param.name}`,
      type: 'text',
      autocomplete: 'off',
      spellcheck: 'false',
      ...(param.in === 'path' ? { required: '', value: randomId() } : { placeholder: 'optional' }),
    });
    return { param, input, node: field(param.name, input) };
  });
  const bodySchema = resolve(doc, operation.requestBody?.content['application/json']?.schema);
  const body =
    operation.requestBody === undefined
      ? undefined
      : h('textarea', { name: 'body', rows: '4', spellcheck: 'false' }, exampleBody(bodySchema));
  const output = h('output', { class: 'result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'try', 'aria-label': `try ${title}` },
    field('Stage', stage),
    ...params.map((p) => p.node),
    body !== undefined && field('Body (JSON)', body),
    h('button', { type: 'submit' }, `Send ${title}`),
    output,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      let url = path;
      const headers: Record<string, string> = {};
      for (const { param, input } of params) {
        if (param.in === 'path')
          url = url.replace(`{${param.name}}`, encodeURIComponent(input.value));
        else if (input.value !== '') headers[param.name] = input.value;
      }
      if (body !== undefined) headers['content-type'] = 'application/json';
      replace(output, 'sending…');
      try {
        const answer = await fetch(`${stage.value}${url}`, {
          method: method.toUpperCase(),
          headers,
          ...(body !== undefined && { body: body.value }),
        });
        const text = await answer.text();
        let shown = text;
        try {
          shown = JSON.stringify(JSON.parse(text), null, 2);
        } catch {
          // not JSON: shown as is
        }
        const kept = ['etag', 'x-function-version', 'retry-after', 'content-type'];
        replace(
          output,
          h(
            'strong',
            { class: `status s${String(answer.status)[0]}`, 'data-status': String(answer.status) },
            `${answer.status} ${answer.statusText}`,
          ),
          h(
            'pre',
            {},
            [...answer.headers]
              .filter(([name]) => kept.includes(name))
              .map(([name, value]) => `${name}: ${value}`)
              .join('\n'),
            shown === '' ? '' : `\n\n${shown}`,
          ),
        );
      } catch (error) {
        replace(output, h('strong', { class: 'status s5' }, `request failed: ${String(error)}`));
      }
    })();
  });
  return form;
}

function schemaText(schema: JsonSchema | undefined): string {
  return schema === undefined ? '' : JSON.stringify(schema, null, 2);
}

/** Renders the API page into `main`. */
export async function mountApiPage(main: HTMLElement, url: string): Promise<void> {
  const doc = (await (await fetch(url)).json()) as OpenApiDocument;
  const operations: HTMLElement[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, value] of Object.entries(methods)) {
      const operation = value as OpenApiOperation;
      const title = `${method.toUpperCase()} ${path}`;
      const bodySchema = resolve(doc, operation.requestBody?.content['application/json']?.schema);
      operations.push(
        h(
          'section',
          {
            class: 'panel operation',
            'data-operation': operation.operationId,
            'aria-label': title,
          },
          h(
            'h2',
            {},
            h('span', { class: `method m-${method}` }, method.toUpperCase()),
            ' ',
            h('code', {}, path),
            h('span', { class: 'muted' }, ` ${operation.summary}`),
          ),
          h(
            'details',
            {},
            h('summary', {}, 'Parameters, body and answers'),
            h(
              'ul',
              { class: 'params' },
              ...operation.parameters.map((p) =>
                h(
                  'li',
                  {},
                  h('code', {}, p.name),
                  ` (${p.in}${p.required ? ', required' : ''}) — ${p.description}`,
                ),
              ),
            ),
            bodySchema !== undefined && h('pre', { class: 'schema' }, schemaText(bodySchema)),
            h(
              'ul',
              { class: 'responses' },
              ...Object.entries(operation.responses).map(([status, response]) =>
                h(
                  'li',
                  {},
                  h('strong', { class: `status s${status[0]}` }, status),
                  ` ${response.description}`,
                ),
              ),
            ),
          ),
          tryForm(doc, path, method, operation),
        ),
      );
    }
  }
  replace(
    main,
    h(
      'section',
      { class: 'panel intro', 'aria-label': 'about the API' },
      h('h2', {}, doc.info.title),
      h(
        'p',
        {},
        doc.info.description,
        ' The raw document: ',
        h('a', { href: url }, 'openapi.json'),
        ' (OpenAPI ',
        doc.openapi,
        ').',
      ),
    ),
    ...operations,
  );
}
