// The check before Finish (POST /api/client-site-moves/check): what a start with this request would
// refuse — the start's own rules (checkStartRequest.ts), so the two never disagree — and what could
// stop or surprise the move later (checks/warnings.ts), including a review the client has since
// outgrown. Writes nothing.
import type { Db } from '../db/client';
import { plainSql } from '../db/plainSql';
import type { MoveCheck } from '../domain/move';
import { evaluateStart, type StartMoveRequest } from './checkStartRequest';
import { moveWarnings } from './checks/warnings';
import { MOVE_REFUSALS, type MoveRequestError } from './errors';
import { changedSinceReview, itemDigests } from './reviewDigests';

export interface StartCheck {
  /** True when a start with this request would be accepted now. */
  ok: boolean;
  problems: MoveCheck[];
  warnings: MoveCheck[];
}

export async function checkStart(db: Db, request: StartMoveRequest, now: Date): Promise<StartCheck> {
  const { problems } = await evaluateStart(db, request, now);
  const warnings = await moveWarnings(db, {
    clientId: request.clientId,
    destinationSiteId: request.destinationSiteId,
    spaceIds: request.spaceIds,
  });
  if (request.reviewed && (await clientExists(db, request.clientId))) {
    warnings.push(...changedSinceReview(request.reviewed, await itemDigests(db, request.clientId)));
  }
  return { ok: problems.length === 0, problems: problems.flatMap(asChecks), warnings };
}

/** Plain SQL, as every read on the check's path (Prisma compiles each ORM call on the event loop). */
async function clientExists(db: Db, clientId: string): Promise<boolean> {
  // The API's schema lets only a UUID through as clientId.
  const [row] = await plainSql(db).$queryRaw<{ found: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM client WHERE id = ${clientId}::uuid) AS found`;
  return row?.found ?? false;
}

/** A refusal as findings: one per field it names (with the item it is about), or one for the whole. */
function asChecks(error: MoveRequestError): MoveCheck[] {
  const type = MOVE_REFUSALS[error.code].slug;
  if (error.fields.length === 0) return [{ type, message: error.message, field: null, item: null }];
  return error.fields.map((f) => ({
    type,
    // The field is in `field`; people read the refusal and what is wrong with it.
    message: `${error.message}: ${f.message}`,
    field: f.field,
    item: f.item ?? null,
  }));
}
