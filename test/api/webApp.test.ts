// The API serves the built web app at / from its own origin: pages (any path without a file
// extension) get index.html, hashed assets are cached for good, and nothing the API answers itself
// (/api/..., /healthz, /readyz, /metrics) is ever shadowed by the app. Uses a stand-in build, so it
// tests the serving, not Vite.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { PROBLEM, api, startApiHarness, type ApiHarness } from './harness';

const INDEX =
  '<!doctype html><title>Connect Site Move</title><script type="module" src="/assets/app-1a2b3c.js"></script>';

let harness: ApiHarness;
let dir: string;
let app: Express;
beforeAll(async () => {
  harness = await startApiHarness({ temporal: 'unreachable' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'csm-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'app-1a2b3c.js'), 'console.log("app");');
  app = harness.appServing({ webAppDir: dir });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await harness.close();
});

it('serves index.html at / and at every page path, not cached, under a CSP that allows only its own scripts', async () => {
  for (const page of ['/', '/clients', '/clients/7d1c/site-move', '/moves/abc', '/sites/x/dashboard']) {
    const res = await request(app).get(page).set('Accept', 'text/html').expect(200);
    expect({ page, type: res.headers['content-type'], body: res.text }).toEqual({
      page,
      type: 'text/html; charset=utf-8',
      body: INDEX,
    });
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self';");
  }
});

it('serves hashed assets for a year; a missing asset is a 404, not the app', async () => {
  const asset = await request(app).get('/assets/app-1a2b3c.js').expect(200);
  expect(asset.headers['content-type']).toMatch(/javascript/);
  expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  const missing = await request(app).get('/assets/app-000000.js');
  expect(missing.status).toBe(404);
  expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
});

it('never answers the API’s own paths with the app', async () => {
  const html = { Accept: 'text/html' };
  const unknownApi = await request(app).get('/api/no-such-route').set(html);
  expect(unknownApi.status).toBe(404);
  expect(unknownApi.body).toMatchObject({ type: `${PROBLEM}not-found` });
  expect((await request(app).get('/api').set(html)).status).toBe(404);
  expect((await request(app).get('/api/sites').set(html)).status).toBe(401);
  expect((await api(app).get('/api/sites').set(html).expect(200)).body).toHaveProperty('items');
  expect((await request(app).get('/healthz').set(html).expect(200)).body).toEqual({ status: 'ok' });
  expect((await request(app).get('/readyz').set(html)).headers['content-type']).toMatch(/json/);
  expect((await request(app).get('/metrics').set(html).expect(200)).text).toContain('# HELP');
  expect((await request(app).get('/api/docs').set(html).expect(200)).text).not.toBe(INDEX);
});

it('answers only page requests with the app: other methods and non-HTML requests get problems', async () => {
  const post = await request(app).post('/clients').set('Accept', 'text/html');
  expect(post.status).toBe(404);
  const json = await request(app).get('/clients').set('Accept', 'application/json');
  expect(json.status).toBe(404);
  expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
});

it('without a build, serves the API alone and says why in the log', async () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'csm-web-empty-'));
  try {
    const apiOnly = harness.appServing({ webAppDir: empty });
    expect((await request(apiOnly).get('/').set('Accept', 'text/html')).status).toBe(404);
    expect(harness.logs.lines).toContainEqual(
      expect.objectContaining({ msg: 'The web app is not built (npm run build:web): serving the API only' }),
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
