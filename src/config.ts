// Reads the environment once. Everything else receives these values; nothing else reads process.env.
import path from 'node:path';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';

const DAY_MS = 86_400_000;

/** A whole number in a range, written as digits only ("1e3", "12.0" and "10 " are refused). */
const wholeNumber = (min: number, max: number, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .refine(
      (v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max,
      `must be a whole number from ${min} to ${max}`,
    )
    .transform(Number);
const port = (fallback: number) => wholeNumber(1, 65535, fallback);

/** A duration such as "24 hours", "90 minutes" or "2d", at most `maxMs`. */
const duration = (fallback: string, maxMs: number, maxText: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (v) => isDuration(v) && durationMs(v) <= maxMs,
      `must be a duration such as "24 hours", "90 minutes" or "2d", at most ${maxText}`,
    );

const BODY_LIMIT = /^(\d+)(b|kb|mb)$/i;
const BODY_LIMIT_RANGE = { min: 1024, max: 10 * 1024 * 1024 };

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }).optional(),
  PG_PORT: port(5433),
  API_PORT: port(3000),
  API_HOST: z
    .string()
    .regex(/^[\w.:-]+$/, 'must be a host name or an IP address')
    .default('127.0.0.1'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$|^\[[\da-f:]+\]:\d{1,5}$/i, 'must be host:port, e.g. temporal:7233')
    .optional(),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_NAMESPACE: z.string().regex(/^\S+$/, 'must be a namespace name without spaces').default('default'),
  TEMPORAL_TASK_QUEUE: z
    .string()
    .regex(/^\S+$/, 'must be a task queue name without spaces')
    .default('client-site-move'),
  TEMPORAL_WEB_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  MAIL_SINK_PORT: port(8025),
  SENDGRID_API_KEY: z.string().optional(),
  SENDGRID_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  MAIL_FROM: z.email({ error: 'must be an email address' }).default('connect-site-move@example.com'),
  CORS_ORIGIN: z
    .string()
    .refine(isOriginList, 'must be * or a comma-separated list of origins such as https://connect.example.com')
    .default('http://localhost:5173'),
  RATE_LIMIT_PER_MINUTE: wholeNumber(1, 1_000_000, 60),
  /** Failed authentications per client IP per minute before that IP is refused for the rest of the minute. */
  AUTH_FAILURES_PER_MINUTE: wholeNumber(1, 1_000_000, 30),
  // "100k" or "1e9" would otherwise be read as 100 or 1 bytes by the body parser, "abc" would throw.
  BODY_LIMIT: z
    .string()
    .default('100kb')
    .refine(
      (v) =>
        BODY_LIMIT.test(v) && bodyLimitBytes(v) >= BODY_LIMIT_RANGE.min && bodyLimitBytes(v) <= BODY_LIMIT_RANGE.max,
      'must be a size from 1kb to 10mb, such as "100kb" or "1mb"',
    ),
  MOVE_BATCH_SIZE: wholeNumber(1, 5000, 500),
  // Checked here, where a bad value names itself: the workflow would otherwise fail on its first line.
  MOVE_DECISION_TIMEOUT: duration('24 hours', 365 * DAY_MS, '365 days'),
  /** How far ahead a move may be scheduled; also keeps every move time a date PostgreSQL can store. */
  MOVE_MAX_AHEAD: duration('365 days', 10 * 365 * DAY_MS, '3650 days'),
  /** Demo data (with its well-known tokens) goes into the embedded database only, unless this says so. */
  SEED_DEMO_DATA: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});

export type Env = z.infer<typeof EnvSchema>;

function isDuration(value: string): boolean {
  try {
    return durationMs(value) > 0;
  } catch {
    return false;
  }
}

/** A duration setting in milliseconds (the same reading Temporal gives it). */
export function durationMs(value: string): number {
  return msToNumber(value as Parameters<typeof msToNumber>[0]);
}

function bodyLimitBytes(value: string): number {
  const [, amount, unit] = BODY_LIMIT.exec(value) ?? [];
  const scale = { b: 1, kb: 1024, mb: 1024 * 1024 }[unit?.toLowerCase() as 'b' | 'kb' | 'mb'] ?? Number.NaN;
  return Number(amount) * scale;
}

function isOriginList(value: string): boolean {
  if (value.trim() === '*') return true;
  return value.split(',').every((origin) => {
    try {
      const url = new URL(origin.trim());
      return /^https?:$/.test(url.protocol) && url.origin === origin.trim();
    } catch {
      return false;
    }
  });
}

/** Settings whose values must not be echoed in an error line. */
const SECRET_KEYS = new Set<string>(['DATABASE_URL', 'SENDGRID_API_KEY']);

/** Every environment variable the app reads (the README and docker-compose.yml list the same). */
export const ENV_KEYS = Object.keys(EnvSchema.shape) as (keyof Env)[];

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  database: {
    /** The database the app uses: DATABASE_URL, or the embedded server's when it is unset. */
    url: string;
    /** True when `npm start` runs PostgreSQL itself (no DATABASE_URL). */
    embedded: boolean;
    embeddedPort: number;
  };
  api: {
    host: string;
    port: number;
    corsOrigin: string;
    rateLimitPerMinute: number;
    /** Failed authentications per client IP per minute (each costs a token lookup). */
    authFailuresPerMinute: number;
    bodyLimit: string;
  };
  temporal: {
    /** host:port of an existing server; unset means `npm start` runs the dev server. */
    address?: string;
    port: number;
    uiPort: number;
    namespace: string;
    taskQueue: string;
    webUrl?: string;
  };
  mail: { from: string; apiKey?: string; baseUrl?: string; sinkPort: number };
  move: {
    batchSize: number;
    decisionTimeout: string;
    /** How far ahead a move may be scheduled, e.g. "365 days". */
    maxAhead: string;
  };
  /** Whether `npm start` and `npm run db:seed` may put the demo data (and its tokens) in the database. */
  seedDemoData: boolean;
}

export class ConfigError extends Error {}

/** A port a setting chose is taken; the message names the setting to change. */
export class PortInUseError extends ConfigError {
  constructor(
    readonly port: number,
    readonly setting: string,
  ) {
    super(`Port ${port} is already in use: stop whatever holds it or set ${setting} to a free port.`);
  }
}

export const EMBEDDED_DATABASE_NAME = 'connect_site_move';

/** Loopback-only development credentials of the embedded server; production sets DATABASE_URL. */
export function embeddedDatabaseUrl(port: number, database: string): string {
  return `postgresql://postgres:postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // Empty strings mean "unset" (a blank line in an .env or compose file).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    // One line per bad value, each naming the setting (and the value, unless it is a secret).
    const lines = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const value = cleaned[key];
      const shown = value === undefined || SECRET_KEYS.has(key) ? '' : ` (got ${JSON.stringify(value)})`;
      return `Invalid configuration: ${key}: ${issue.message}${shown}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.SEED_DEMO_DATA === 'true') {
    throw new ConfigError(
      'Invalid configuration: SEED_DEMO_DATA: must not be true with NODE_ENV=production (demo tokens are well known)',
    );
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    database: {
      url: e.DATABASE_URL ?? embeddedDatabaseUrl(e.PG_PORT, EMBEDDED_DATABASE_NAME),
      embedded: e.DATABASE_URL === undefined,
      embeddedPort: e.PG_PORT,
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      corsOrigin: e.CORS_ORIGIN,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
      bodyLimit: e.BODY_LIMIT,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      webUrl: e.TEMPORAL_WEB_URL,
    },
    mail: { from: e.MAIL_FROM, apiKey: e.SENDGRID_API_KEY, baseUrl: e.SENDGRID_BASE_URL, sinkPort: e.MAIL_SINK_PORT },
    move: { batchSize: e.MOVE_BATCH_SIZE, decisionTimeout: e.MOVE_DECISION_TIMEOUT, maxAhead: e.MOVE_MAX_AHEAD },
    seedDemoData:
      e.NODE_ENV !== 'production' &&
      (e.SEED_DEMO_DATA === 'true' || (e.SEED_DEMO_DATA === undefined && !e.DATABASE_URL)),
  };
}
