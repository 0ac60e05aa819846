// A client's unfinished move, if it has one: what blocks a new start and what the wizard points to.
// The partial unique index client_site_move_one_active_per_client allows at most one.
import { Prisma } from '../db/client';
import { ACTIVE_PHASES, type MovePhase } from '../domain/move';
import { readRows, type Reader } from './sqlReader';

export interface ActiveMove {
  id: string;
  status: MovePhase;
}

export async function findActiveMove(db: Reader, clientId: string): Promise<ActiveMove | null> {
  const [move] = await readRows<ActiveMove>(
    db,
    Prisma.sql`
      SELECT id, status::text AS status FROM client_site_move
      WHERE client_id = ${clientId}::uuid AND status = ANY(${[...ACTIVE_PHASES]}::"MovePhase"[])
      LIMIT 1`,
  );
  return move ?? null;
}
