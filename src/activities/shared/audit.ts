// Audit entries written by the workflow's activities. The dedupe key makes a retried activity write
// its entry once, and tells the caller whether this was the first time. Plain SQL, not Prisma's
// createMany: Prisma compiles every ORM call on the event loop (docs/performance.md).
import { Prisma } from '../../db/client';
import type { MoveProgress } from '../../domain/move';

export interface AuditInput {
  dedupeKey: string;
  action: string;
  clientId: string;
  moveId: string;
  details: Prisma.InputJsonObject;
  at: Date;
}

/**
 * The INSERT of the entries not written yet, in the order given, `RETURNING dedupe_key` of those it
 * wrote: a statement of its own or a CTE of a larger one. The system acts here, not an operator:
 * actor_operator_id stays null.
 */
export function insertAuditEntries(entries: AuditInput[]): Prisma.Sql {
  const rows = JSON.stringify(entries);
  return Prisma.sql`
    INSERT INTO audit_entry (at, action, client_id, move_id, details, dedupe_key)
    SELECT (e.entry->>'at')::timestamptz, e.entry->>'action', (e.entry->>'clientId')::uuid,
           (e.entry->>'moveId')::uuid, e.entry->'details', e.entry->>'dedupeKey'
    FROM jsonb_array_elements(${rows}::jsonb) WITH ORDINALITY AS e(entry, n)
    ORDER BY e.n
    ON CONFLICT DO NOTHING
    RETURNING dedupe_key`;
}

/**
 * Every action taken in Temporal itself (Temporal Web, the CLI, a workflow cancel) is audited with the
 * actor `temporal`; an operator's action through the API is audited by the API, under its name.
 */
export function temporalActionEntries(clientId: string, progress: MoveProgress): AuditInput[] {
  // Runs from before the audit of actions report no list.
  const actions = progress.actions ?? [];
  return actions.flatMap((taken, index) =>
    taken.byOperatorId !== null
      ? []
      : [
          {
            dedupeKey: `move:${progress.moveId}:action:${index}`,
            action: `TEMPORAL_${taken.action.toUpperCase().replace('-', '_')}`,
            clientId,
            moveId: progress.moveId,
            at: new Date(taken.at),
            details: { action: taken.action, detail: taken.detail },
          },
        ],
  );
}
