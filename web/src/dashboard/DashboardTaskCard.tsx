// One move coming to this site, as the dashboard shows it: the client, from → to, the phase, when it
// runs (at this site, zone named), what the checks found (held before moving, warnings, changes since
// the review), progress per kind, the current step, and the last error with the item it is about.
import type { ReactElement } from 'react';
import { Link } from 'react-router';
import type { DashboardTask } from '../../../src/api/schemas';
import { ItemProgressBars } from '../components/ItemProgressBars';
import { PhaseBadge } from '../components/PhaseBadge';
import { SiteTime } from '../components/Time';
import { stepLabel } from '../format/labels';
import { LastError } from '../moves/LastError';
import { MoveChecks } from '../moves/MoveChecks';
import { OutageWait } from '../moves/OutageWait';

export function DashboardTaskCard({ task }: { task: DashboardTask }): ReactElement {
  const titleId = `task-${task.id}`;
  const progress = task.progress;
  const zone = task.destinationSite.timeZone;
  return (
    <article className="card task-card" aria-labelledby={titleId}>
      <header className="card-header">
        <h3 id={titleId}>
          <Link to={`/moves/${task.moveId}`}>{task.client.name}</Link>
        </h3>
        <PhaseBadge phase={task.phase} />
      </header>
      <p className="route">
        {task.sourceSite.name} <span aria-hidden="true">→</span>
        <span className="visually-hidden">to</span> {task.destinationSite.name}
      </p>
      {progress ? (
        <>
          <dl className="details details-compact">
            <dt>Scheduled for</dt>
            <dd>
              <SiteTime iso={progress.scheduledFor} zone={zone} />
            </dd>
            <dt>Current step</dt>
            <dd>{stepLabel(progress.currentStep)}</dd>
          </dl>
          <OutageWait outage={progress.outage} zone={zone} />
          <MoveChecks phase={task.phase} progress={progress} canDecide={false} />
          <ItemProgressBars items={progress.items} started={progress.startedAt !== null} />
          {progress.lastError && <LastError error={progress.lastError} timeZone={zone} />}
        </>
      ) : (
        <p className="muted">No progress recorded yet.</p>
      )}
      {task.progressSource === 'database' && task.open && (
        <p className="hint">Temporal did not answer in time: this is the last state the move recorded.</p>
      )}
    </article>
  );
}
