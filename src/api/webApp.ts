// Serves the built web app (web/dist) from the API's own origin: hashed assets cached for good,
// and index.html for any other page path (the app routes in the browser). The API's own paths are
// never answered with the app: an unknown /api/... stays a problem+json 404.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';

export interface WebAppOptions {
  /** The folder Vite built into; it holds index.html and assets/. */
  dir: string;
  /** Paths the API answers itself (e.g. /healthz); /api and everything under it always are. */
  apiPaths: readonly string[];
}

/** Middleware serving the app, or null when it has not been built (the API then serves no pages). */
export function webApp(options: WebAppOptions): RequestHandler[] | null {
  const index = path.join(options.dir, 'index.html');
  if (!existsSync(index)) return null;
  const isApiPath = (p: string) => p === '/api' || p.startsWith('/api/') || options.apiPaths.includes(p);

  const assets = express.static(options.dir, {
    index: false,
    redirect: false,
    setHeaders: (res, file) => {
      // File names under assets/ carry a content hash: a new build makes new names.
      const hashed = path.relative(options.dir, file).startsWith(`assets${path.sep}`);
      res.setHeader('Cache-Control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const guardApiPaths: RequestHandler = (req, _res, next) => {
    if (isApiPath(req.path)) return next('router');
    next();
  };
  const pages: RequestHandler = (req, res, next) => {
    // A page is a GET for HTML without a file extension; a missing asset stays a 404.
    if ((req.method !== 'GET' && req.method !== 'HEAD') || path.extname(req.path) !== '') return next();
    if (!req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  const router = express.Router();
  router.use(guardApiPaths, assets, pages);
  return [router];
}
