// What a client has that a move would carry, as counts and digests (md5 of the sorted ids) per kind:
// the wizard's review steps show them (the preview), Finish sends them back, and the check says when
// they no longer match what the client has.
import { Prisma, type Db } from '../db/client';
import { plainRows } from '../db/plainSql';
import type { MoveCheck, ReviewedCounts } from '../domain/move';

export async function itemDigests(db: Db, clientId: string): Promise<ReviewedCounts> {
  const [row] = await plainRows<{
    users: number;
    userDigest: string;
    numbers: number;
    numberDigest: string;
    services: number;
    serviceDigest: string;
  }>(
    db,
    Prisma.sql`
    SELECT
      (SELECT count(*)::int FROM client_user WHERE client_id = ${clientId}::uuid) AS users,
      (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM client_user
        WHERE client_id = ${clientId}::uuid) AS "userDigest",
      (SELECT count(*)::int FROM phone_number WHERE client_id = ${clientId}::uuid) AS numbers,
      (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM phone_number
        WHERE client_id = ${clientId}::uuid) AS "numberDigest",
      (SELECT count(*)::int FROM service WHERE client_id = ${clientId}::uuid AND status = 'ACTIVE') AS services,
      (SELECT md5(coalesce(string_agg(id::text, ',' ORDER BY id), '')) FROM service
        WHERE client_id = ${clientId}::uuid AND status = 'ACTIVE') AS "serviceDigest"`,
    'item_digests',
  );
  return {
    users: { count: row?.users ?? 0, digest: row?.userDigest ?? '' },
    phoneNumbers: { count: row?.numbers ?? 0, digest: row?.numberDigest ?? '' },
    services: { count: row?.services ?? 0, digest: row?.serviceDigest ?? '' },
  };
}

/** A warning per kind whose items changed since the operator reviewed them. */
export function changedSinceReview(reviewed: ReviewedCounts, now: ReviewedCounts): MoveCheck[] {
  const kinds = [
    ['users', 'users'],
    ['phoneNumbers', 'phone numbers'],
    ['services', 'services'],
  ] as const;
  return kinds
    .filter(([key]) => reviewed[key].digest !== now[key].digest)
    .map(([key, words]) => ({
      type: 'changed-since-review',
      message: `The client's ${words} changed since you reviewed them (${reviewed[key].count} then, ${now[key].count} now): the move takes them as they are when it runs`,
      field: `reviewed.${key}`,
      item: null,
    }));
}
