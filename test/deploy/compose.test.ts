// docker-compose.yml cannot run here (no Docker engine), so it is checked as data: every service
// the app needs is there, images are pinned, commands exist in the built image, and the app's
// services are configured only with variables the code reads.
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
}

const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
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

it('points the app at the compose PostgreSQL and Temporal, and the values load as valid configuration', () => {
  for (const name of APP_SERVICES) {
    const raw = services[name]!.environment!;
    // Resolve ${VAR:-default} and ${VAR:?message} as compose would with nothing set.
    const resolved = Object.fromEntries(
      Object.entries(raw).map(([key, value]) => [
        key,
        String(value).replace(/\$\{\w+:[-?]([^}]*)\}/g, (_, fallback: string) =>
          key === 'SENDGRID_API_KEY' ? 'SG.test' : fallback,
        ),
      ]),
    );
    const config = loadConfig(resolved);
    expect(new URL(config.database.url).hostname).toBe('postgres');
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.env).toBe('production');
  }
  expect(services.temporal!.depends_on).toHaveProperty('temporal-db');
  expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
});
