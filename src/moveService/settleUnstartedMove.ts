// A move recorded but never seen running (Temporal's answer to the start was lost, or the API died
// between recording and starting) would block its client for ever. Before a new start for the
// client, such a move is settled against Temporal: adopted if its run exists, closed if none does.
import type { Db } from '../db/client';
import { findStartedRun, type TemporalDeps } from './startedRun';

/** A start still in progress (recorded, not yet started) is left alone this long. */
export const UNSTARTED_GRACE_MS = 60_000;

export async function settleUnstartedMove(deps: TemporalDeps & { db: Db }, clientId: string, now: Date): Promise<void> {
  const { db } = deps;
  const unstarted = await db.clientSiteMove.findFirst({
    where: {
      clientId,
      status: 'SCHEDULED',
      runId: null,
      createdAt: { lt: new Date(now.getTime() - UNSTARTED_GRACE_MS) },
    },
    select: { id: true, workflowId: true },
  });
  if (!unstarted) return;
  const run = await findStartedRun(deps, unstarted.workflowId, unstarted.id);
  if (run.found === 'this-move') {
    await db.clientSiteMove.updateMany({ where: { id: unstarted.id, runId: null }, data: { runId: run.runId } });
    return;
  }
  // Still unknown: leave it; the start that follows answers 409 naming it.
  if (run.found === 'unknown') return;
  // Nothing ran, so nothing changed for the client: the move is closed as cancelled, with the reason.
  // Its Idempotency-Key is let go, so the caller's retry with that key starts a move of its own.
  await db.$transaction(async (tx) => {
    const closed = await tx.clientSiteMove.updateMany({
      where: { id: unstarted.id, runId: null, status: 'SCHEDULED' },
      data: {
        status: 'CANCELLED',
        finishedAt: now,
        cancelReason: 'Never started: Temporal has no run of it',
        idempotencyKey: null,
        requestFingerprint: null,
      },
    });
    // Two starts may settle the same move at once; only the one that closed it writes the audit.
    if (closed.count === 0) return;
    await tx.auditEntry.create({
      data: {
        action: 'MOVE_NEVER_STARTED',
        clientId,
        moveId: unstarted.id,
        at: now,
        details: { workflowId: unstarted.workflowId },
        dedupeKey: `move:${unstarted.id}:never-started`,
      },
    });
  });
}
