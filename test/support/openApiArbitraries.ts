// fast-check arbitraries for requests, read from an OpenAPI 3.1 document: for each operation, its path
// parameters, query string, headers and JSON body, drawn from the schemas the API publishes, and
// now and then bent out of shape (a wrong type, a missing or unknown field, a huge or odd string).
import fc from 'fast-check';

/** The part of JSON Schema the API's document uses. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface GeneratedRequest {
  method: string;
  /** The path with its parameters filled in (percent-encoded), and the query string. */
  url: string;
  headers: Record<string, string>;
  /** A JSON body (already a string), or none. */
  body?: string;
}

/** Values that break assumptions: wrong types, empties, huge and odd strings. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(''),
  fc.constant('x'.repeat(10_000)),
  fc.constant({ __proto__: { admin: true } }),
  fc.constant('9999-12-31T23:59:59-23:59'),
  fc.constant('+275760-09-13T00:00:00.000Z'),
  fc.constant('\u0000\u202e\ud83d\ude9a'),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.jsonValue({ maxDepth: 2 }),
);

export function requestArbitrary(doc: OpenApiDocument, knownIds: () => string[]): fc.Arbitrary<GeneratedRequest> {
  const resolve = (schema: JsonSchema): JsonSchema => {
    if (!schema.$ref) return schema;
    const name = schema.$ref.split('/').pop()!;
    return doc.components?.schemas?.[name] ?? {};
  };
  // Random ids mostly name nothing; the ids of real rows (seed data, moves made so far) reach further.
  const uuid = fc.oneof(
    fc.uuid(),
    fc.constant(null).chain(() => {
      const ids = knownIds();
      return ids.length > 0 ? fc.constantFrom(...ids) : fc.uuid();
    }),
  );

  const valueOf = (raw: JsonSchema, depth = 0): fc.Arbitrary<unknown> => {
    const schema = resolve(raw);
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    const options = schema.anyOf ?? schema.oneOf;
    if (options) return fc.oneof(...options.map((option) => valueOf(option, depth)));
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.length > 1) return fc.oneof(...types.map((type) => valueOf({ ...schema, type }, depth)));
    switch (types[0]) {
      case 'string':
        if (schema.format === 'uuid') return uuid;
        if (schema.format === 'date-time') {
          return fc
            .integer({ min: -86_400_000, max: 400 * 86_400_000 })
            .map((ms) => new Date(Date.now() + ms).toISOString());
        }
        return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 600) });
      case 'integer':
        return fc.integer({ min: (schema.minimum ?? -10) - 2, max: Math.min(schema.maximum ?? 1_000, 10_000) + 2 });
      case 'number':
        return fc.double({ noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(schema.items ? valueOf(schema.items, depth + 1) : fc.jsonValue(), {
          maxLength: Math.min(schema.maxItems ?? 3, 3),
        });
      case 'object': {
        if (depth > 3) return fc.constant({});
        const properties = Object.fromEntries(
          Object.entries(schema.properties ?? {}).map(([key, value]) => [key, valueOf(value, depth + 1)]),
        );
        return fc.record(properties, { requiredKeys: schema.required ?? [] });
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };

  /** Mostly the schema's own values; sometimes hostile ones, a missing field or an unknown one. */
  const bent = (arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 6, arbitrary },
      { weight: 1, arbitrary: hostileValue },
      {
        weight: 1,
        arbitrary: fc
          .tuple(arbitrary, fc.string({ maxLength: 8 }), hostileValue)
          .map(([value, key, extra]) =>
            typeof value === 'object' && value !== null && !Array.isArray(value)
              ? Object.fromEntries([...Object.entries(value).slice(1), [key, extra]])
              : value,
          ),
      },
    );

  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );
  return fc.constantFrom(...operations).chain(({ path, method, operation }) => {
    const parameters = operation.parameters ?? [];
    const inPath = parameters.filter((p) => p.in === 'path');
    const inQuery = parameters.filter((p) => p.in === 'query');
    const inHeader = parameters.filter((p) => p.in === 'header');
    const bodySchema = operation.requestBody?.content['application/json']?.schema;
    return fc
      .record({
        pathValues: fc.tuple(...inPath.map((p) => bent(valueOf(p.schema)))),
        query: fc.array(
          fc.constantFrom(
            ...(inQuery.length > 0 ? inQuery : [{ name: 'unknown', in: 'query', schema: {} } as Parameter]),
          ),
          { maxLength: 4 },
        ),
        headerValues: fc.tuple(...inHeader.map((p) => fc.option(bent(valueOf(p.schema)), { nil: undefined }))),
        body: bodySchema ? fc.option(bent(valueOf(bodySchema)), { nil: undefined, freq: 8 }) : fc.constant(undefined),
      })
      .chain((drawn) =>
        // Query values drawn from each parameter's own schema (duplicates allowed), as strings.
        fc.tuple(...drawn.query.map((p) => bent(valueOf(p.schema)))).map((values): GeneratedRequest => {
          let url = path;
          inPath.forEach((p, i) => {
            url = url.replace(`{${p.name}}`, encodeURIComponent(asText(drawn.pathValues[i])));
          });
          const query = drawn.query
            .map((p, i) => `${encodeURIComponent(p.name)}=${encodeURIComponent(asText(values[i]))}`)
            .join('&');
          const headers: Record<string, string> = {};
          inHeader.forEach((p, i) => {
            const value = drawn.headerValues[i];
            // Only what an HTTP header can carry; anything else a client could not send.
            if (value !== undefined)
              headers[p.name] = asText(value)
                .replace(/[^\x20-\x7e]/g, '?')
                .slice(0, 300);
          });
          return {
            method: method.toUpperCase(),
            url: query ? `${url}?${query}` : url,
            headers,
            ...(drawn.body === undefined ? {} : { body: JSON.stringify(drawn.body) ?? 'null' }),
          };
        }),
      );
  });
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(asText).join(',');
  return JSON.stringify(value) ?? '';
}
