// Reads the environment once. Everything else receives these values; nothing else reads process.env.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { durationMs } from './domain/durations';
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
/** host:port to listen on, e.g. 0.0.0.0:9464 or 127.0.0.1:9464. */
const listenAddress = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464')
  .optional();
/** W3C-baggage-style `key=value,key2=value2` (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES). */
const keyValueList = z
  .string()
  .regex(/^\s*[^=,\s]+\s*=[^,]*(,\s*[^=,\s]+\s*=[^,]*)*$/, 'must be key=value pairs separated by commas')
  .optional();

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
  // Connecting to a secured Temporal (Temporal Cloud, or a self-hosted cluster with mTLS). The
  // names are the `temporal` CLI's own, so one environment serves the app and the CLI alike.
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  // Worker metrics for Prometheus: the app's own (moves, steps, emails), and the Temporal SDK's.
  WORKER_METRICS_ADDRESS: listenAddress,
  WORKER_SDK_METRICS_ADDRESS: listenAddress,
  // Traces: OpenTelemetry's standard variables; no endpoint means no tracing.
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf'], 'only http/protobuf is supported').optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/protobuf'], 'only http/protobuf is supported').optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_HEADERS: keyValueList,
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValueList,
  OTEL_SERVICE_NAME: z.string().optional(),
  OTEL_RESOURCE_ATTRIBUTES: keyValueList,
  MAIL_SINK_PORT: port(8025),
  SENDGRID_API_KEY: z.string().optional(),
  SENDGRID_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  MAIL_FROM: z.email({ error: 'must be an email address' }).default('connect-site-move@example.com'),
  CORS_ORIGIN: z
    .string()
    .refine(isOriginList, 'must be * or a comma-separated list of origins such as https://connect.example.com')
    .default('http://localhost:5173'),
  RATE_LIMIT_PER_MINUTE: wholeNumber(1, 1_000_000, 60),
  /** How old a Temporal progress answer the API reuses for a running move may be (0: none). */
  PROGRESS_MAX_AGE_MS: wholeNumber(0, 60_000, 1_000),
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
  // 2000: fewer round trips through Temporal than 500, and still short transactions (docs/performance.md).
  MOVE_BATCH_SIZE: wholeNumber(1, 5000, 2000),
  // Checked here, where a bad value names itself: the workflow would otherwise fail on its first line.
  MOVE_DECISION_TIMEOUT: duration('24 hours', 365 * DAY_MS, '365 days'),
  MOVE_OUTAGE_WINDOW: duration('30 minutes', 7 * DAY_MS, '7 days'),
  EMAIL_DELIVERY_WINDOW: duration('24 hours', 30 * DAY_MS, '30 days'),
  /** How far ahead a move may be scheduled; also keeps every move time a date PostgreSQL can store. */
  MOVE_MAX_AHEAD: duration('365 days', 10 * 365 * DAY_MS, '3650 days'),
  /** The pre-move check runs this long before a scheduled move is due (and at scheduling and when due). */
  MOVE_PREFLIGHT_LEAD: duration('1 hour', 7 * DAY_MS, '7 days'),
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
    /** Reads of a running move within this long share one progress query (docs/performance.md). */
    progressMaxAgeMs: number;
  };
  temporal: {
    /** host:port of an existing server; unset means `npm start` runs the dev server. */
    address?: string;
    port: number;
    uiPort: number;
    namespace: string;
    taskQueue: string;
    webUrl?: string;
    /** TLS to Temporal (certificates already read), or false for plaintext. */
    tls: TLSConfig | false;
    /** Sent as `Authorization: Bearer <key>` on every call (Temporal Cloud API keys). */
    apiKey?: string;
  };
  mail: { from: string; apiKey?: string; baseUrl?: string; sinkPort: number };
  move: {
    batchSize: number;
    decisionTimeout: string;
    /** How long a step held up by an outage retries by itself before asking an operator. */
    outageWindow: string;
    /** How long the outcome email keeps being retried through mail outages. */
    emailDeliveryWindow: string;
    /** How far ahead a move may be scheduled, e.g. "365 days". */
    maxAhead: string;
    /** How long before a scheduled move the pre-move check runs again, e.g. "1 hour". */
    preflightLead: string;
  };
  /** Whether `npm start` and `npm run db:seed` may put the demo data (and its tokens) in the database. */
  seedDemoData: boolean;
  observability: {
    /** Where the worker serves its app metrics (`/metrics`); unset: not served. */
    workerMetricsAddress?: string;
    /** Where the Temporal SDK's Prometheus exporter listens (`/metrics`); unset: off. */
    sdkMetricsAddress?: string;
    /** OTLP/HTTP trace export; undefined when tracing is off. */
    tracing?: TracingSettings;
  };
}

export interface TracingSettings {
  /** Full URL spans are POSTed to, e.g. http://collector:4318/v1/traces. */
  endpoint: string;
  headers: Record<string, string>;
  /** OTEL_SERVICE_NAME; the process's own name when unset. */
  serviceName?: string;
  resourceAttributes: Record<string, string>;
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
      progressMaxAgeMs: e.PROGRESS_MAX_AGE_MS,
    },
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      webUrl: e.TEMPORAL_WEB_URL,
      tls: temporalTls(e),
      apiKey: e.TEMPORAL_API_KEY,
    },
    mail: { from: e.MAIL_FROM, apiKey: e.SENDGRID_API_KEY, baseUrl: e.SENDGRID_BASE_URL, sinkPort: e.MAIL_SINK_PORT },
    move: {
      batchSize: e.MOVE_BATCH_SIZE,
      decisionTimeout: e.MOVE_DECISION_TIMEOUT,
      outageWindow: e.MOVE_OUTAGE_WINDOW,
      emailDeliveryWindow: e.EMAIL_DELIVERY_WINDOW,
      maxAhead: e.MOVE_MAX_AHEAD,
      preflightLead: e.MOVE_PREFLIGHT_LEAD,
    },
    seedDemoData:
      e.NODE_ENV !== 'production' &&
      (e.SEED_DEMO_DATA === 'true' || (e.SEED_DEMO_DATA === undefined && !e.DATABASE_URL)),
    observability: {
      workerMetricsAddress: e.WORKER_METRICS_ADDRESS,
      sdkMetricsAddress: e.WORKER_SDK_METRICS_ADDRESS,
      tracing: tracingSettings(e),
    },
  };
}

/** As the OpenTelemetry specification reads these variables; tracing is off without an endpoint. */
function tracingSettings(e: Env): TracingSettings | undefined {
  if (e.OTEL_SDK_DISABLED === 'true' || e.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const endpoint =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (e.OTEL_EXPORTER_OTLP_ENDPOINT && `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  if (!endpoint) return undefined;
  return {
    endpoint,
    headers: { ...keyValues(e.OTEL_EXPORTER_OTLP_HEADERS), ...keyValues(e.OTEL_EXPORTER_OTLP_TRACES_HEADERS) },
    serviceName: e.OTEL_SERVICE_NAME,
    resourceAttributes: keyValues(e.OTEL_RESOURCE_ATTRIBUTES),
  };
}

function keyValues(list: string | undefined): Record<string, string> {
  if (!list) return {};
  return Object.fromEntries(
    list.split(',').map((pair) => {
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1).trim();
      try {
        return [pair.slice(0, at).trim(), decodeURIComponent(value)];
      } catch {
        return [pair.slice(0, at).trim(), value]; // not percent-encoded after all
      }
    }),
  );
}

/**
 * TLS to Temporal from the TEMPORAL_TLS* settings, with the files read now: a missing or unreadable
 * file stops start-up with one line naming its setting, not a handshake failure minutes later.
 * Any TLS setting, or an API key, turns TLS on; TEMPORAL_TLS=false turns it off (an API key is then
 * sent in the clear, e.g. to a local proxy that adds TLS).
 */
function temporalTls(e: Env): TLSConfig | false {
  const files = {
    TEMPORAL_TLS_CA: e.TEMPORAL_TLS_CA,
    TEMPORAL_TLS_CERT: e.TEMPORAL_TLS_CERT,
    TEMPORAL_TLS_KEY: e.TEMPORAL_TLS_KEY,
  };
  const tlsSettings = [...Object.entries(files), ['TEMPORAL_TLS_SERVER_NAME', e.TEMPORAL_TLS_SERVER_NAME]]
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
  if (e.TEMPORAL_TLS === 'false') {
    if (tlsSettings.length > 0) {
      throw new ConfigError(
        `Invalid configuration: TEMPORAL_TLS is false but ${tlsSettings.join(', ')} set: unset one or the other.`,
      );
    }
    return false;
  }
  if (tlsSettings.length > 0 && e.TEMPORAL_ADDRESS === undefined) {
    throw new ConfigError(
      `Invalid configuration: ${tlsSettings.join(', ')} set without TEMPORAL_ADDRESS: TLS is for an existing Temporal (npm start's own dev server is plaintext on loopback); set TEMPORAL_ADDRESS too.`,
    );
  }
  if ((e.TEMPORAL_TLS_CERT === undefined) !== (e.TEMPORAL_TLS_KEY === undefined)) {
    const missing = e.TEMPORAL_TLS_CERT === undefined ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY';
    throw new ConfigError(
      `Invalid configuration: ${missing} is not set: a client certificate (mTLS) needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY.`,
    );
  }
  if (tlsSettings.length === 0 && e.TEMPORAL_TLS !== 'true' && e.TEMPORAL_API_KEY === undefined) return false;
  const tls: TLSConfig = {};
  if (e.TEMPORAL_TLS_CA !== undefined) tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA', e.TEMPORAL_TLS_CA);
  if (e.TEMPORAL_TLS_CERT !== undefined && e.TEMPORAL_TLS_KEY !== undefined) {
    tls.clientCertPair = {
      crt: readPem('TEMPORAL_TLS_CERT', e.TEMPORAL_TLS_CERT),
      key: readPem('TEMPORAL_TLS_KEY', e.TEMPORAL_TLS_KEY),
    };
  }
  if (e.TEMPORAL_TLS_SERVER_NAME !== undefined) tls.serverNameOverride = e.TEMPORAL_TLS_SERVER_NAME;
  return tls;
}

function readPem(setting: string, file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`Invalid configuration: ${setting}: cannot read ${file} (${reason}).`);
  }
  if (!pem.includes('-----BEGIN ')) {
    throw new ConfigError(`Invalid configuration: ${setting}: ${file} is not a PEM file (no -----BEGIN line).`);
  }
  return pem;
}
