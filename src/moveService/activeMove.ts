// A client's unfinished move, if it has one: what blocks a new start and what the wizard points to.
// The partial unique index client_site_move_one_active_per_client allows at most one.
import type { Db, Prisma } from '../db/client';
import { ACTIVE_PHASES, type MovePhase } from '../domain/move';

export interface ActiveMove {
  id: string;
  status: MovePhase;
}

export async function findActiveMove(db: Db | Prisma.TransactionClient, clientId: string): Promise<ActiveMove | null> {
  return db.clientSiteMove.findFirst({
    where: { clientId, status: { in: [...ACTIVE_PHASES] } },
    select: { id: true, status: true },
  });
}
