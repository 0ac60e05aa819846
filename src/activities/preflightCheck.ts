// The pre-move check on a scheduled move: what would stop it now (the workflow holds the move before
// anything moves) and what could surprise it (shown on the move and its dashboard task). Reads only:
// two plain SQL statements, the move with its problems, then its warnings.
import { preflightOf } from '../moveService/checks/preflight';
import { moveWarnings } from '../moveService/checks/warnings';
import type { MoveRef, PreflightResult } from './contract';
import type { ActivityDeps } from './shared/deps';
import { UUID, moveMissing } from './shared/moveRecord';

export async function preflightCheck(deps: ActivityDeps, { moveId }: MoveRef): Promise<PreflightResult> {
  // A malformed id names no move: say so once, not fail the uuid cast on every retry.
  const found = UUID.test(moveId) ? await preflightOf(deps.db, moveId) : null;
  if (!found) throw moveMissing(moveId);
  return { problems: found.problems, warnings: await moveWarnings(deps.db, found.target) };
}
