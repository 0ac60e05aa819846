// Audit entries written by the workflow's activities. The dedupe key makes a retried activity write
// its entry once, and tells the caller whether this was the first time.
import type { Prisma } from '../../db/client';
import type { MoveProgress } from '../../domain/move';
import type { Tx } from './moveRecord';

export interface AuditInput {
  dedupeKey: string;
  action: string;
  clientId: string;
  moveId: string;
  details: Prisma.InputJsonObject;
  at: Date;
}

/** True when the entry is new; false when an earlier attempt already wrote it. */
export async function auditOnce(tx: Tx, entry: AuditInput): Promise<boolean> {
  // The system acts here, not an operator: actorOperatorId stays null.
  const { count } = await tx.auditEntry.createMany({ data: [entry], skipDuplicates: true });
  return count === 1;
}

/**
 * Every action taken in Temporal itself (Temporal Web, the CLI, a workflow cancel) is audited with the
 * actor `temporal`; an operator's action through the API is audited by the API, under its name.
 */
export async function auditTemporalActions(tx: Tx, clientId: string, progress: MoveProgress): Promise<void> {
  // Runs from before the audit of actions report no list.
  const actions = progress.actions ?? [];
  for (const [index, taken] of actions.entries()) {
    if (taken.byOperatorId !== null) continue;
    await auditOnce(tx, {
      dedupeKey: `move:${progress.moveId}:action:${index}`,
      action: `TEMPORAL_${taken.action.toUpperCase().replace('-', '_')}`,
      clientId,
      moveId: progress.moveId,
      at: new Date(taken.at),
      details: { action: taken.action, detail: taken.detail },
    });
  }
}
