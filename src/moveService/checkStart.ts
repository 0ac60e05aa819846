// The check before Finish (POST /api/client-site-moves/check): what a start with this request would
// refuse — the start's own rules (checkStartRequest.ts), so the two never disagree — and what could
// stop or surprise the move later (checks/warnings.ts), including a review the client has since
// outgrown. Writes nothing.
import type { Db } from '../db/client';
import type { MoveCheck } from '../domain/move';
import { evaluateStart, type StartMoveRequest } from './checkStartRequest';
import { moveWarnings } from './checks/warnings';
import { MOVE_REFUSALS, MoveRequestErrorCode, type MoveRequestError } from './errors';
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
  // A client the start's own rules did not find has no items to compare with the review.
  const clientFound = !problems.some((p) => p.code === MoveRequestErrorCode.ClientNotFound);
  if (request.reviewed && clientFound) {
    warnings.push(...changedSinceReview(request.reviewed, await itemDigests(db, request.clientId)));
  }
  return { ok: problems.length === 0, problems: problems.flatMap(asChecks), warnings };
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
