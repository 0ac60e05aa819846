// The browsable API docs: Swagger UI (npm swagger-ui-dist) over the generated OpenAPI document, with
// "Try it out" and an Authorize button for the bearer token. Everything is served from here (no
// CDN), and the page's own start-up script is a file too, so helmet's CSP needs no relaxing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RequestHandler } from 'express';

/** Where the page lives; its files are below it (`/api/docs/swagger-ui.css`, ...). */
export const DOCS_PATH = '/api/docs';

const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_VERSION = (
  JSON.parse(readFileSync(path.join(SWAGGER_UI_DIR, 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/**
 * Relative to the page, so it works behind a proxy that mounts the API under a prefix.
 * validatorUrl: null keeps Swagger UI from sending the document to swagger.io for a badge.
 * persistAuthorization keeps the token across reloads (in this browser's localStorage only).
 */
const START_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    filter: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

/** The files the page loads: Swagger UI's own (as published) and its start-up script. */
const FILES: Record<string, { type: string; body: () => Buffer | string }> = {
  'swagger-ui.css': { type: 'text/css', body: () => readFileSync(path.join(SWAGGER_UI_DIR, 'swagger-ui.css')) },
  'swagger-ui-bundle.js': {
    type: 'text/javascript',
    body: () => readFileSync(path.join(SWAGGER_UI_DIR, 'swagger-ui-bundle.js')),
  },
  'favicon-32x32.png': { type: 'image/png', body: () => readFileSync(path.join(SWAGGER_UI_DIR, 'favicon-32x32.png')) },
  'start.js': { type: 'text/javascript', body: () => START_SCRIPT },
};

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Relative links (`docs/…`): the page is /api/docs, so they resolve below it, prefix or not. */
export function renderDocsPage(title: string): string {
  const asset = (name: string) => `docs/${name}?v=${SWAGGER_UI_VERSION}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<link rel="stylesheet" href="${asset('swagger-ui.css')}">
<link rel="icon" type="image/png" href="${asset('favicon-32x32.png')}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${asset('swagger-ui-bundle.js')}"></script>
<script src="${asset('start.js')}"></script>
</body>
</html>
`;
}

/** Serves the page's files below DOCS_PATH; anything else falls through (and ends as a 404). */
export function docsAssets(): RequestHandler {
  const cache = new Map<string, Buffer | string>();
  return (req, res, next) => {
    const name = req.path.replace(/^\//, '');
    const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    let body = cache.get(name);
    if (body === undefined) cache.set(name, (body = file.body()));
    res.locals.route = `${DOCS_PATH}/{file}`;
    // The version is in the page's links, so a new Swagger UI is a new URL.
    res.set('Cache-Control', 'public, max-age=86400').type(file.type).send(body);
  };
}
