// The driver adapter the Prisma CLI (migrate, db) uses. Prisma 6.19's JS schema engine runs fully
// offline through @prisma/adapter-pg, but needs four fixes, each explained where it is made
// (see also ../shared toolchain notes and docs/data-model.md).
import { PrismaPg } from '@prisma/adapter-pg';
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQueryable,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';

// Introspection returns PostgreSQL catalog types `name` (OID 19) and `"char"` (OID 18), which the
// adapter cannot map to a column type and throws on. Their values already arrive as strings, so
// the pool's clients report them as `text` (OID 25). The schema engine reads `"char"` columns
// (constraint and index kinds) as single characters, so the columns that were `"char"` are
// remembered per SQL text and retyped as Character once the adapter has built its result.
const NAME_OID = 19;
const CHAR_OID = 18;
const TEXT_OID = 25;
const charColumnsBySql = new Map<string, number[]>();

type QueryResultLike = { fields?: { dataTypeID: number }[] };

function reportCatalogTypesAsText(sql: string | undefined, result: unknown): void {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as QueryResultLike[]) {
    const charColumns: number[] = [];
    (r?.fields ?? []).forEach((field, index) => {
      if (field.dataTypeID === CHAR_OID) charColumns.push(index);
      if (field.dataTypeID === CHAR_OID || field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
    });
    if (sql !== undefined && charColumns.length > 0) charColumnsBySql.set(sql, charColumns);
  }
}

function sqlOf(queryArg: unknown): string | undefined {
  if (typeof queryArg === 'string') return queryArg;
  if (queryArg && typeof queryArg === 'object' && 'text' in queryArg) return String(queryArg.text);
  return undefined;
}

class CatalogAsTextClient extends pg.Client {
  // pg's query() has many overloads; both the promise and the callback forms are wrapped.
  override query(...args: unknown[]): never {
    const sql = sqlOf(args[0]);
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const callback = last as (err: unknown, res: unknown) => void;
      args[args.length - 1] = (err: unknown, res: unknown) => {
        if (!err) reportCatalogTypesAsText(sql, res);
        callback(err, res);
      };
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    if (returned instanceof Promise) {
      return returned.then((res: unknown) => {
        reportCatalogTypesAsText(sql, res);
        return res;
      }) as never;
    }
    return returned as never;
  }
}

function retypeCharColumns(queryable: SqlQueryable): void {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const index of charColumnsBySql.get(query.sql) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
    return result;
  };
}

// The adapter splits scripts on every `;`, which breaks `$$` bodies and string literals. Sending
// the whole script as one simple-protocol query runs it in one implicit transaction, as the
// native engine does.
function withCliFixes(adapter: SqlDriverAdapter & { underlyingDriver(): pg.Pool }): SqlDriverAdapter {
  const onError = (adapter as unknown as { onError(e: unknown): never }).onError.bind(adapter);
  retypeCharColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const transaction = await startTransaction(isolationLevel);
    retypeCharColumns(transaction);
    return transaction;
  };
  adapter.executeScript = async (script: string) => {
    try {
      await adapter.underlyingDriver().query(script);
    } catch (error) {
      onError(error);
    }
  };
  return adapter;
}

function poolFor(connectionString: string): pg.Pool {
  // allowExitOnIdle: an idle pooled connection must not keep a finished CLI command alive.
  const pool = new pg.Pool({ connectionString, Client: CatalogAsTextClient, max: 2, allowExitOnIdle: true });
  // The engine asks for a fresh shadow database more than once per command; recreating it
  // terminates the idle connections of the previous one, which is expected, not a crash.
  pool.on('error', () => undefined);
  return pool;
}

function shadowUrlFor(connectionString: string): { url: string; adminUrl: string; name: string } {
  const url = new URL(connectionString);
  const main = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const name = `${main}_shadow`;
  const shadow = new URL(url);
  shadow.pathname = `/${name}`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return { url: shadow.toString(), adminUrl: admin.toString(), name };
}

/**
 * `migrate dev` diffs against an empty shadow database. adapter-pg's own handling either reuses
 * the main database or fails while it is in use, so a dedicated `<db>_shadow` is dropped and
 * recreated on the same server each time.
 */
async function recreateShadowDatabase(connectionString: string): Promise<string> {
  const { url, adminUrl, name } = shadowUrlFor(connectionString);
  const mainName = decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, ''));
  if (name === mainName) throw new Error('Refusing to use the main database as the shadow database');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoted}`);
  } finally {
    await admin.end();
  }
  return url;
}

export function cliAdapterFactory(connectionString: string): SqlMigrationAwareDriverAdapterFactory {
  const main = new PrismaPg(poolFor(connectionString));
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: async () => withCliFixes(await main.connect()),
    connectToShadowDb: async () => {
      const shadowUrl = await recreateShadowDatabase(connectionString);
      return withCliFixes(await new PrismaPg(poolFor(shadowUrl)).connect());
    },
  };
}

/**
 * The JS schema engine leaves a 10 s timer running, so CLI commands hang that long after they
 * finish. Unreferenced long timers still fire if the process is alive for other reasons.
 */
export function unrefLongTimers(thresholdMs = 5_000): void {
  const original = globalThis.setTimeout as unknown as (...args: unknown[]) => NodeJS.Timeout;
  const patched = (handler: unknown, ms?: number, ...rest: unknown[]) => {
    const timer = original(handler, ms, ...rest);
    if ((ms ?? 0) >= thresholdMs) timer.unref();
    return timer;
  };
  globalThis.setTimeout = Object.assign(patched, globalThis.setTimeout);
}
