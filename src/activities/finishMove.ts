// Final bookkeeping: the move row and its task become final, the client gets its status back and
// the audit records the outcome. The audit entry's dedupe key marks the finish as done, so a retry
// (or a late duplicate) never touches the client again, e.g. after a new move has started for it.
// After the move's lock, one statement does it all (plain SQL: docs/performance.md).
import type { ClientStatus } from '../generated/prisma/client';
import type { FinalPhase } from '../domain/move';
import type { FinishInput } from './contract';
import type { ActivityDeps } from './shared/deps';
import { insertAuditEntries, temporalActionEntries } from './shared/audit';
import { TX_OPTIONS, loadMove } from './shared/moveRecord';
import { toJson } from './shared/progressJson';
import { plainTransaction } from '../db/plainSql';

/**
 * FAILED keeps "Active - move scheduled": a rollback could not restore everything, so the client is
 * in no state to call plain ACTIVE until a human has looked (needsHuman says what).
 */
const CLIENT_STATUS_AFTER: Record<FinalPhase, ClientStatus | null> = {
  COMPLETED: 'ACTIVE',
  ROLLED_BACK: 'ACTIVE',
  CANCELLED: 'ACTIVE',
  FAILED: null,
};

export async function finishMove(deps: ActivityDeps, { moveId, phase, progress }: FinishInput): Promise<void> {
  const finishedAt = new Date(progress.finishedAt ?? deps.now().toISOString());
  const finalProgress = { ...progress, phase, finishedAt: finishedAt.toISOString() };
  const needsHuman = progress.needsHuman.length > 0 ? JSON.stringify(progress.needsHuman) : null;
  const lastError = progress.lastError?.message ?? null;
  const now = deps.now();
  await plainTransaction(deps.db, TX_OPTIONS, async (tx) => {
    const move = await loadMove(tx, moveId);
    const finishedKey = `move:${moveId}:finished`;
    // The actions taken in Temporal first, then the outcome: the order the trail reads in.
    const audit = insertAuditEntries([
      ...temporalActionEntries(move.clientId, progress),
      {
        dedupeKey: finishedKey,
        action: `MOVE_${phase}`,
        clientId: move.clientId,
        moveId,
        at: finishedAt,
        details: {
          phase,
          items: toJson(progress.items),
          lastError,
          needsHuman: progress.needsHuman.length,
          cancelReason: progress.cancelReason,
        },
      },
    ]);
    // Everything but the audit happens only when this is the first finish (its entry is new).
    const status = CLIENT_STATUS_AFTER[phase];
    await tx.$executeRaw`
      WITH audit AS (${audit}
      ), first AS (
        SELECT 1 FROM audit WHERE dedupe_key = ${finishedKey}
      ), client AS (
        UPDATE client SET status = ${status}::"ClientStatus", updated_at = ${now}
        WHERE id = ${move.clientId}::uuid AND status = 'ACTIVE_MOVE_SCHEDULED'
          AND ${status}::"ClientStatus" IS NOT NULL AND EXISTS (SELECT 1 FROM first)
      ), finished AS (
        UPDATE client_site_move SET
          status = ${phase}::"MovePhase",
          finished_at = ${finishedAt},
          last_error = ${lastError},
          needs_human = ${needsHuman}::jsonb,
          cancel_reason = ${progress.cancelReason},
          updated_at = ${now}
        WHERE id = ${moveId}::uuid AND EXISTS (SELECT 1 FROM first)
        RETURNING id
      ), task AS (
        UPDATE dashboard_task SET
          phase = ${phase}::"MovePhase",
          open = false,
          closed_at = ${finishedAt},
          progress = ${JSON.stringify(finalProgress)}::jsonb,
          updated_at = ${now}
        WHERE move_id IN (SELECT id FROM finished)
      )
      SELECT 1`;
  });
}
