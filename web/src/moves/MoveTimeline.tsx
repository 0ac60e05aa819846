// The move's timeline: every phase change and every action on it, oldest first, with who acted
// (an operator, Temporal for actions taken in Temporal Web or the CLI, or the system) and when, at the
// destination site's time; then what is still to come. Live until the move's trail ends.
import type { ReactElement } from 'react';
import type { MoveDetail } from '../../../src/api/schemas';
import { isFinalPhase } from '../../../src/domain/move';
import { useMoveEvents } from '../api/moves';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { SiteTime } from '../components/Time';
import { moveTimeline } from './moveTimeline';

const STATE_WORDS = { done: 'done', current: 'latest', upcoming: 'not yet', failed: 'stopped' } as const;

export function MoveTimeline({ move }: { move: MoveDetail }): ReactElement {
  const pages = useMoveEvents(move.id, isFinalPhase(move.status));
  if (pages.isPending) return <Loading what="the move’s history" />;
  if (pages.isError && !pages.data) return <ProblemAlert error={pages.error} />;
  const events = pages.data?.pages.flatMap((page) => page.items) ?? [];
  const total = pages.data?.pages.at(-1)?.page.total ?? events.length;
  const zone = move.destinationSite.timeZone;
  return (
    <>
      <ol className="timeline">
        {moveTimeline(move, events, !pages.hasNextPage).map((entry) => (
          <li
            key={entry.key}
            className={`timeline-${entry.state}`}
            aria-current={entry.state === 'current' ? 'step' : undefined}
          >
            <span className="timeline-marker" aria-hidden="true" />
            <div>
              <p className="timeline-label">
                {entry.label}
                <span className="visually-hidden"> ({STATE_WORDS[entry.state]})</span>
              </p>
              <p className="timeline-time">
                {entry.at ? <SiteTime iso={entry.at} zone={zone} /> : '—'}
                {entry.who && <span className="timeline-who"> · by {entry.who}</span>}
              </p>
              {entry.detail && <p className="timeline-detail">{entry.detail}</p>}
            </div>
          </li>
        ))}
      </ol>
      {pages.hasNextPage && (
        <button
          type="button"
          className="button-secondary"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          Show later events ({events.length} of {total} shown)
        </button>
      )}
    </>
  );
}
