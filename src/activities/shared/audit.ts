// Audit entries written by the workflow's activities. The dedupe key makes a retried activity write
// its entry once, and tells the caller whether this was the first time.
import type { Prisma } from '../../db/client';
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
