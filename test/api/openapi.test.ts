// The OpenAPI document: valid OpenAPI 3.1, and it lists exactly the routes the app serves (read
// from Express's own router, not from the route declarations that generate the document).
import type { Express } from 'express';
import request from 'supertest';
import { startApiHarness, type ApiHarness } from './harness';
import { openApiProblems } from './validateOpenApi';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'unreachable' });
});
afterAll(() => harness.close());

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string;
}

/** "METHOD /path/:param" for every route the app's router would dispatch to. */
function appRoutes(app: Express): string[] {
  const walk = (stack: Layer[], prefix: string): string[] =>
    stack.flatMap((layer) => {
      if (layer.route) {
        return Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${prefix}${layer.route!.path}`);
      }
      if (layer.handle?.stack) {
        const mount = layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : '';
        return walk(layer.handle.stack, prefix + mount);
      }
      return [];
    });
  return walk((app.router as unknown as { stack: Layer[] }).stack, '');
}

interface SpecDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>>;
  components: { schemas: Record<string, unknown> };
}

const specRoutes = (doc: SpecDocument) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );

describe('GET /api/openapi.json', () => {
  let doc: SpecDocument;
  beforeAll(async () => {
    const res = await request(harness.app).get('/api/openapi.json').expect(200).expect('content-type', /json/);
    doc = res.body as SpecDocument;
  });

  it('is a valid OpenAPI 3.1 document (swagger-parser)', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(await openApiProblems(doc)).toBeNull();
  });

  it('lists every route the app serves, and no other', () => {
    const served = appRoutes(harness.app).sort();
    expect(served.length).toBeGreaterThanOrEqual(17);
    expect(specRoutes(doc).sort()).toEqual(served);
  });

  it('names the issue’s routes', () => {
    const routes = specRoutes(doc);
    for (const route of [
      'GET /api/sites',
      'GET /api/clients',
      'GET /api/clients/:clientId/site-move/options',
      'GET /api/clients/:clientId/site-move/preview',
      'POST /api/client-site-moves',
      'GET /api/client-site-moves/:id',
      'GET /api/client-site-moves',
      'GET /api/sites/:siteId/dashboard/tasks',
      'POST /api/client-site-moves/:id/cancel',
      'POST /api/client-site-moves/:id/reschedule',
      'POST /api/client-site-moves/:id/move-now',
      'POST /api/client-site-moves/:id/retry',
      'POST /api/client-site-moves/:id/rollback',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /api/openapi.json',
      'GET /api/me',
      'GET /api/sign-in-options',
    ]) {
      expect(routes).toContain(route);
    }
  });

  it('documents bearer auth on every /api route but the spec and docs, and problem+json errors', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const op of Object.values(item)) {
        const open =
          !path.startsWith('/api/') || ['/api/openapi.json', '/api/docs', '/api/sign-in-options'].includes(path);
        expect({ path, secured: (op.security ?? []).length > 0 }).toEqual({ path, secured: !open });
      }
    }
    const start = doc.paths['/api/client-site-moves']!.post as unknown as {
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    expect(Object.keys(start.responses).sort()).toEqual(
      ['201', '400', '401', '403', '404', '409', '413', '415', '422', '429', '500', '503'].sort(),
    );
    expect(Object.keys(start.responses['422']!.content!)).toEqual(['application/problem+json']);
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(doc.components.schemas).toHaveProperty('MoveDetail');
  });

  it('states the bounds of the cancel reason and of move times', () => {
    const schemas = doc.components.schemas as Record<string, { properties: Record<string, Record<string, unknown>> }>;
    expect(schemas.CancelMove!.properties.reason).toMatchObject({ type: 'string', minLength: 1, maxLength: 500 });
    expect(schemas.StartMove!.properties.moveAt!.description).toContain('at most 365 days ahead');
    expect(schemas.RescheduleMove!.properties.moveAt!.description).toContain('at most 365 days ahead');
  });
});

describe('GET /api/docs', () => {
  it('is Swagger UI over the generated document, its files served here, under the strict CSP', async () => {
    const res = await request(harness.app).get('/api/docs').expect(200).expect('content-type', /html/);
    const csp = res.headers['content-security-policy'] as string;
    // The page's own start-up code is a file too: no inline script needs the CSP relaxed.
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
    expect(res.text).not.toMatch(/<script>|<script [^>]*>[^<]/);
    // Nothing from another origin: every link and script is relative to the page.
    const links = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThanOrEqual(3);
    for (const link of links) expect(link).toMatch(/^docs\/[\w.-]+\?v=\d+\.\d+\.\d+$/);

    const base = new URL('http://api.test/api/docs');
    const files = await Promise.all(
      links.map(async (link) => {
        const url = new URL(link, base);
        const file = await request(harness.app)
          .get(url.pathname + url.search)
          .expect(200);
        return { path: url.pathname, type: file.headers['content-type'] as string, body: file.text ?? '' };
      }),
    );
    const bundle = files.find((f) => f.path === '/api/docs/swagger-ui-bundle.js')!;
    expect(bundle.type).toMatch(/javascript/);
    expect(bundle.body).toContain('SwaggerUIBundle');
    expect(files.find((f) => f.path === '/api/docs/swagger-ui.css')!.type).toMatch(/text\/css/);
    const start = files.find((f) => f.path === '/api/docs/start.js')!;
    // The document it shows, with the Authorize (bearer) button from its security scheme, and no
    // call to swagger.io's validator.
    expect(start.body).toContain("url: 'openapi.json'");
    expect(start.body).toContain('validatorUrl: null');
    expect(new URL('openapi.json', base).pathname).toBe('/api/openapi.json');
    const spec = (await request(harness.app).get('/api/openapi.json').expect(200)).body as {
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves only the page’s own files below it, and sends /api/docs/ back to /api/docs', async () => {
    await request(harness.app).get('/api/docs/index.html').expect(404);
    await request(harness.app).get('/api/docs/swagger-initializer.js').expect(404);
    await request(harness.app).get('/api/docs/../package.json').expect(404);
    await request(harness.app).get('/api/docs/').expect(301).expect('location', '../docs');
  });
});
