// The move's phases in order, each with its time (in the viewer's zone); the current one marked.
import type { ReactElement } from 'react';
import type { MoveDetail } from '../../../src/api/schemas';
import { Time } from '../components/Time';
import { moveTimeline } from './moveTimeline';

const STATE_WORDS = { done: 'done', current: 'now', upcoming: 'not yet', failed: 'failed' } as const;

export function MoveTimeline({ move }: { move: MoveDetail }): ReactElement {
  return (
    <ol className="timeline">
      {moveTimeline(move).map((event) => (
        <li
          key={event.key}
          className={`timeline-${event.state}`}
          aria-current={event.state === 'current' ? 'step' : undefined}
        >
          <span className="timeline-marker" aria-hidden="true" />
          <div>
            <p className="timeline-label">
              {event.label}
              <span className="visually-hidden"> ({STATE_WORDS[event.state]})</span>
            </p>
            <p className="timeline-time">{event.at ? <Time iso={event.at} /> : '—'}</p>
            {event.detail && <p className="timeline-detail">{event.detail}</p>}
          </div>
        </li>
      ))}
    </ol>
  );
}
