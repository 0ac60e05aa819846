// Where the service layer's reads run: in a start's transaction, or on their own (the check, the
// settle's lookup). Plain SQL either way: Prisma compiles every ORM call on the event loop, 1.5-5 ms
// of CPU each (docs/performance.md); on its own a statement goes to the pg pool past Prisma.
import type { Db, Prisma } from '../db/client';
import { plainSql, type SqlTx } from '../db/plainSql';

/** The client (a statement of its own) or a transaction (plainTransaction's, or Prisma's). */
export type Reader = Db | SqlTx;

/** The rows of one statement, wherever it runs. */
export function readRows<T>(db: Reader, query: Prisma.Sql): Promise<T[]> {
  // Only the client can open transactions: a transaction's statements stay on its own connection.
  return ('$transaction' in db ? plainSql(db) : db).$queryRaw<T[]>(query);
}
