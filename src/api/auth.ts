// Bearer tokens: the token is hashed and looked up; operators never have their token stored.
// Any operator may read; only a T2_SUPER_ADMIN may change a move (the product's rule).
import type { RequestHandler, Response } from 'express';
import type { Config } from '../config';
import { Prisma, type Db } from '../db/client';
import { plainRows } from '../db/plainSql';
import { hashToken, isDemoToken } from '../domain/tokens';
import type { AuthenticatedOperator } from './locals';
import { HttpProblem } from './problem';

const CHALLENGE = 'Bearer realm="connect-site-move"';

export function authenticate(db: Db, env: Config['env']): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer[ ]+([\x21-\x7e]+)[ ]*$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new HttpProblem('unauthorized', 'Send an operator token: Authorization: Bearer <token>', [], {
        'WWW-Authenticate': CHALLENGE,
      });
    }
    // A demo token is public knowledge: in production it opens nothing, even if someone seeded it.
    const operator = env === 'production' && isDemoToken(match[1]) ? null : await operatorByToken(db, match[1]);
    if (!operator) {
      throw new HttpProblem('unauthorized', 'The token is not valid', [], {
        'WWW-Authenticate': `${CHALLENGE}, error="invalid_token"`,
      });
    }
    res.locals.operator = operator;
    next();
  };
}

/**
 * One plain statement on the pg pool, not `findUnique`: every authenticated request runs it, and
 * Prisma's handling of even a raw query cost more CPU than the rest of a read (docs/performance.md).
 */
async function operatorByToken(db: Db, token: string): Promise<AuthenticatedOperator | null> {
  const [operator] = await plainRows<AuthenticatedOperator>(
    db,
    Prisma.sql`SELECT id, name, email, role::text AS role FROM operator WHERE token_hash = ${hashToken(token)}`,
    'operator_by_token',
  );
  return operator ?? null;
}

export const requireSuperAdmin: RequestHandler = (_req, res, next) => {
  const operator = currentOperator(res);
  if (operator.role !== 'T2_SUPER_ADMIN') {
    throw new HttpProblem('forbidden', 'Only a T2 Super Admin can start or change a client site move');
  }
  next();
};

/** The authenticated operator; only called behind `authenticate`. */
export function currentOperator(res: Response): AuthenticatedOperator {
  const operator = res.locals.operator;
  if (!operator) throw new Error('currentOperator() called on a route without authenticate()');
  return operator;
}
