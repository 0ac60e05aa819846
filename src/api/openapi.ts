// The OpenAPI 3.1 document, generated from the routes' zod schemas (see routing.ts).
import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { PROBLEMS, problemType } from './problem';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

export const API_VERSION = '0.1.0';

export function generateOpenApiDocument(registry: OpenAPIRegistry): OpenApiDocument {
  const problemList = Object.entries(PROBLEMS)
    .map(([slug, p]) => `- \`${problemType(slug as keyof typeof PROBLEMS)}\` (${p.status}): ${p.title}`)
    .join('\n');
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Connect Site Move API',
      version: API_VERSION,
      description:
        'Moves a client, with its users, phone numbers and services, from one site to another. Every move is a ' +
        'Temporal workflow; this API starts it, follows it and passes operators’ decisions to it.\n\n' +
        'Authentication: `Authorization: Bearer <token>`. Any operator may read; only a T2 Super Admin may ' +
        'start or change a move. Times are ISO-8601 with offset.\n\n' +
        `Every error is \`application/problem+json\` with one of these stable types:\n\n${problemList}`,
    },
    tags: [
      { name: 'Wizard', description: 'Data for the Client Site Move wizard' },
      { name: 'Moves', description: 'Starting and following moves' },
      { name: 'Move actions', description: 'Operators’ decisions, passed to the workflow as updates' },
      { name: 'Dashboard', description: 'Tasks on a site’s dashboard' },
      { name: 'Operations', description: 'Health, readiness, metrics and this documentation' },
    ],
  });
}
