// Everything about one move, live until it has finished: its phase and progress, what the checks
// found (held before moving, warnings, changes since the review), the last error and what needs a
// human, the timeline (its audit trail), the wizard's choices, the email, a link into Temporal Web,
// and — for a T2 Super Admin — the actions its phase allows. Times are the destination site's.
import type { ReactElement } from 'react';
import { useParams } from 'react-router';
import { useMove } from '../api/moves';
import { ItemProgressBars } from '../components/ItemProgressBars';
import { Loading } from '../components/Loading';
import { PageHeading } from '../components/PageHeading';
import { PhaseBadge } from '../components/PhaseBadge';
import { ProblemAlert } from '../components/ProblemAlert';
import { SiteTime } from '../components/Time';
import { EMAIL_STATE_LABEL, stepLabel } from '../format/labels';
import { useCanChangeMoves } from '../session/operator';
import { LastError } from './LastError';
import { MoveActions } from './MoveActions';
import { MoveChecks, heldByCheck } from './MoveChecks';
import { OutageWait } from './OutageWait';
import { MoveChoices } from './MoveChoices';
import { MoveTimeline } from './MoveTimeline';

export function MovePage(): ReactElement {
  const { moveId = '' } = useParams();
  const move = useMove(moveId);
  const canChangeMoves = useCanChangeMoves();

  if (move.data === undefined) {
    if (!move.isError) return <Loading what="the move" />;
    return (
      <>
        <PageHeading title="Client Site Move" />
        <ProblemAlert error={move.error} />
      </>
    );
  }
  const m = move.data;
  const progress = m.progress;
  const zone = m.destinationSite.timeZone;
  return (
    <>
      <PageHeading title={`Client Site Move: ${m.client.name}`} />
      <p className="move-summary">
        <PhaseBadge phase={m.status} /> {m.sourceSite.name} <span aria-hidden="true">→</span>
        <span className="visually-hidden">to</span> {m.destinationSite.name}
      </p>
      {/* A refresh that failed: the page shows the last state it had. */}
      {move.isError && <ProblemAlert error={move.error} />}
      {canChangeMoves && <MoveActions move={m} />}

      <div className="move-grid">
        <section aria-labelledby="progress-title" className="card">
          <h2 id="progress-title">Progress</h2>
          {progress ? (
            <>
              <dl className="details details-compact">
                <dt>Current step</dt>
                <dd>{stepLabel(progress.currentStep)}</dd>
                {progress.decisionDeadline && (
                  <>
                    <dt>{heldByCheck(m.status, progress) ? 'Cancelled by itself at' : 'Rolls back by itself at'}</dt>
                    <dd>
                      <SiteTime iso={progress.decisionDeadline} zone={zone} />
                    </dd>
                  </>
                )}
              </dl>
              <OutageWait outage={progress.outage} zone={zone} />
              <MoveChecks phase={m.status} progress={progress} canDecide={canChangeMoves} />
              <ItemProgressBars items={progress.items} started={progress.startedAt !== null} />
              {progress.lastError && (
                <LastError
                  error={progress.lastError}
                  timeZone={zone}
                  title={heldByCheck(m.status, progress) ? 'Problems found by the check before moving' : undefined}
                />
              )}
              {progress.needsHuman.length > 0 && (
                <div className="needs-human">
                  <h3>Needs a human</h3>
                  <p>The rollback could not undo these; put them right by hand.</p>
                  {progress.needsHuman.map((error, i) => (
                    <LastError key={i} error={error} timeZone={zone} title={`To put right (${i + 1})`} />
                  ))}
                </div>
              )}
            </>
          ) : (
            <p className="muted">No progress recorded yet.</p>
          )}
          {m.progressSource === 'database' && (
            <p className="hint">Temporal did not answer in time: this is the last state the move recorded.</p>
          )}
        </section>

        <section aria-labelledby="timeline-title" className="card">
          <h2 id="timeline-title">Timeline</h2>
          <MoveTimeline move={m} />
        </section>

        <section aria-labelledby="choices-title" className="card">
          <h2 id="choices-title">Choices</h2>
          <MoveChoices move={m} />
        </section>

        <section aria-labelledby="more-title" className="card">
          <h2 id="more-title">Email and records</h2>
          <dl className="details">
            <dt>Confirmation email</dt>
            <dd>
              {EMAIL_STATE_LABEL[progress?.email.state ?? (m.notifyOperator ? 'PENDING' : 'NOT_REQUESTED')]}
              {progress?.email.error && ` (${progress.email.error})`}
            </dd>
            <dt>Requested by</dt>
            <dd>{m.requestedBy.name}</dd>
            <dt>Workflow</dt>
            <dd>
              {m.links.temporalWeb ? (
                <a href={m.links.temporalWeb} target="_blank" rel="noreferrer">
                  Open in Temporal Web<span className="visually-hidden"> (opens in a new tab)</span>
                </a>
              ) : (
                <code>{m.workflowId}</code>
              )}
            </dd>
          </dl>
        </section>
      </div>
    </>
  );
}
