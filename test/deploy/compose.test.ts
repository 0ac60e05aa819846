// docker-compose.yml cannot run here (no Docker engine), so it is checked as data: every service
// the app needs is there, images are pinned, commands exist in the built image, and the app's
// services are configured only with variables the code reads; it refuses placeholder passwords and
// keeps Temporal's unauthenticated ports off the network.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ENV_KEYS, loadConfig } from '../../src/config';

const ROOT = path.resolve(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }> | string[];
  ports?: string[];
}

const composeText = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const APP_SERVICES = ['api', 'worker', 'migrate'];

it('has every service the app needs', () => {
  expect(Object.keys(services).sort()).toEqual(
    ['api', 'migrate', 'postgres', 'temporal', 'temporal-db', 'temporal-ui', 'worker'].sort(),
  );
});

it('pins every image to a version', () => {
  for (const [name, service] of Object.entries(services)) {
    if (APP_SERVICES.includes(name)) {
      expect(service.build).toBe('.');
      continue;
    }
    expect(service.image).toMatch(/^[\w./-]+:\d+\.\d+(\.\d+)?(-[\w.]+)?$/);
  }
});

it('runs commands that the Dockerfile build produces from real source files', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/npm run build/);
  for (const name of APP_SERVICES) {
    const [node, script] = services[name]!.command!;
    expect(node).toBe('node');
    const source = script!.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    expect(existsSync(path.join(ROOT, source))).toBe(true);
  }
});

it('configures the app services only with variables the code reads, and with what it needs', () => {
  for (const name of APP_SERVICES) {
    const env = Object.keys(services[name]!.environment ?? {});
    expect(env.filter((key) => !(ENV_KEYS as string[]).includes(key))).toEqual([]);
    expect(env).toEqual(expect.arrayContaining(['NODE_ENV', 'DATABASE_URL', 'TEMPORAL_ADDRESS']));
  }
  expect(Object.keys(services.worker!.environment!)).toEqual(expect.arrayContaining(['SENDGRID_API_KEY', 'MAIL_FROM']));
  expect(Object.keys(services.api!.environment!)).toEqual(expect.arrayContaining(['API_HOST', 'API_PORT']));
});

/** Compose's variable substitution: `${VAR:-default}`, `${VAR:?message}` (refuses), `${VAR}`. */
function interpolate(value: string | number, vars: Record<string, string>): string {
  return String(value).replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const set = vars[name] !== undefined && vars[name] !== '';
    if (set) return vars[name]!;
    if (op === '?') throw new Error(`required variable ${name} is missing a value: ${arg}`);
    return op === '-' ? arg! : '';
  });
}

/** What an operator must set for `docker compose up` (README, Production). */
const REQUIRED = {
  SENDGRID_API_KEY: 'SG.test',
  APP_DB_PASSWORD: 'app-secret',
  TEMPORAL_DB_PASSWORD: 'temporal-secret',
};

it('points the app at the compose PostgreSQL and Temporal, and the values load as valid configuration', () => {
  for (const name of APP_SERVICES) {
    const raw = services[name]!.environment!;
    const resolved = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, interpolate(value, REQUIRED)]));
    const config = loadConfig(resolved);
    expect(new URL(config.database.url).hostname).toBe('postgres');
    expect(new URL(config.database.url).password).toBe('app-secret');
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.env).toBe('production');
  }
  expect(services.temporal!.depends_on).toHaveProperty('temporal-db');
  expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
});

it('refuses to start without real database passwords: no placeholder to fall back on', () => {
  expect(composeText).not.toMatch(/change-?me/i);
  const needs: Record<string, string[]> = {
    postgres: ['APP_DB_PASSWORD'],
    'temporal-db': ['TEMPORAL_DB_PASSWORD'],
    temporal: ['TEMPORAL_DB_PASSWORD'],
    api: ['APP_DB_PASSWORD'],
    worker: ['APP_DB_PASSWORD'],
    migrate: ['APP_DB_PASSWORD'],
  };
  for (const [name, variables] of Object.entries(needs)) {
    const environment = Object.values(services[name]!.environment ?? {});
    for (const variable of variables) {
      const without = { ...REQUIRED, [variable]: '' };
      expect(() => environment.forEach((value) => interpolate(value, without))).toThrow(
        new RegExp(`required variable ${variable} is missing a value: set ${variable} to`),
      );
    }
  }
});

it("publishes Temporal's gRPC port and Temporal Web on the host's loopback only, and no database at all", () => {
  for (const name of ['temporal', 'temporal-ui']) {
    const ports = services[name]!.ports ?? [];
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  }
  expect(services.temporal!.ports).toEqual(['127.0.0.1:7233:7233']);
  expect(services.postgres!.ports).toBeUndefined();
  expect(services['temporal-db']!.ports).toBeUndefined();
});
