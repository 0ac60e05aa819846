// The pre-move check on a scheduled move: what would stop it now (the workflow holds the move before
// anything moves) and what could surprise it (shown on the move and its dashboard task). Reads only.
import { preflightProblems } from '../moveService/checks/preflight';
import { moveWarnings } from '../moveService/checks/warnings';
import type { MoveRef, PreflightResult } from './contract';
import type { ActivityDeps } from './shared/deps';
import { moveMissing } from './shared/moveRecord';

export async function preflightCheck(deps: ActivityDeps, { moveId }: MoveRef): Promise<PreflightResult> {
  const move = await deps.db.clientSiteMove.findUnique({
    where: { id: moveId },
    select: {
      clientId: true,
      destinationSiteId: true,
      spaces: { where: { role: 'TARGET' }, select: { spaceId: true }, orderBy: { spaceId: 'asc' } },
    },
  });
  if (!move) throw moveMissing(moveId);
  const [problems, warnings] = await Promise.all([
    preflightProblems(deps.db, moveId),
    moveWarnings(deps.db, {
      clientId: move.clientId,
      destinationSiteId: move.destinationSiteId,
      spaceIds: move.spaces.map((s) => s.spaceId),
    }),
  ]);
  return { problems, warnings };
}
