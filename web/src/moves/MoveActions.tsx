// What a T2 Super Admin may do to a move in its phase — Move now, Reschedule, Cancel (with a reason)
// while it waits; Retry or Roll back when it needs attention — each behind a confirmation. A refusal
// (a 409 when the move has moved on) is told in words, and the form keeps what was typed.
import { useState, type ReactElement } from 'react';
import { DEFAULT_MOVE_HORIZON, rescheduleBody, type MoveDetail } from '../../../src/api/schemas';
import { fieldErrors } from '../../../src/api/fieldErrors';
import type { MovePhase } from '../../../src/domain/move';
import { ApiProblem } from '../api/client';
import { useMoveAction, type MoveAction } from '../api/moves';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { FieldErrorText, errorProps, messagesByField, type FieldMessages } from '../components/forms';
import { Time } from '../components/Time';
import { problemMessage } from '../format/problems';
import { isoToLocal, localToIso, viewerTimeZone } from '../format/time';

type ActionKind = MoveAction['kind'];

/** The actions each phase allows (the workflow's update validators decide; this only offers them). */
export const ACTIONS_BY_PHASE: Partial<Record<MovePhase, ActionKind[]>> = {
  SCHEDULED: ['move-now', 'reschedule', 'cancel'],
  NEEDS_ATTENTION: ['retry', 'rollback'],
};

const BUTTON_LABEL: Record<ActionKind, string> = {
  'move-now': 'Move now',
  reschedule: 'Reschedule',
  cancel: 'Cancel',
  retry: 'Retry',
  rollback: 'Roll back',
};

const DONE_MESSAGE: Record<ActionKind, string> = {
  'move-now': 'The move has started.',
  reschedule: 'The move has a new time.',
  cancel: 'The move is cancelled.',
  retry: 'The failed step is running again.',
  rollback: 'The move is rolling back.',
};

export function MoveActions({ move }: { move: MoveDetail }): ReactElement | null {
  const [open, setOpen] = useState<ActionKind | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const actions = ACTIONS_BY_PHASE[move.status] ?? [];
  if (actions.length === 0 && !done && !open) return null;
  return (
    <section aria-labelledby="actions-title" className="move-actions">
      <h2 id="actions-title">Actions</h2>
      {done && (
        <p role="status" className="alert alert-success">
          {done}
        </p>
      )}
      {actions.length > 0 && (
        <div className="actions">
          {actions.map((kind) => (
            <button
              key={kind}
              type="button"
              className={kind === 'cancel' || kind === 'rollback' ? 'button-danger' : undefined}
              onClick={() => {
                setDone(null);
                setOpen(kind);
              }}
            >
              {BUTTON_LABEL[kind]}
            </button>
          ))}
        </div>
      )}
      {open && (
        <ActionDialog
          kind={open}
          move={move}
          onClose={() => setOpen(null)}
          onDone={() => {
            setDone(DONE_MESSAGE[open]);
            setOpen(null);
          }}
        />
      )}
    </section>
  );
}

function ActionDialog({
  kind,
  move,
  onClose,
  onDone,
}: {
  kind: ActionKind;
  move: MoveDetail;
  onClose: () => void;
  onDone: () => void;
}) {
  const mutation = useMoveAction(move.id);
  const [reason, setReason] = useState('');
  const [when, setWhen] = useState(() => isoToLocal(move.scheduledFor));
  const [messages, setMessages] = useState<FieldMessages>({});
  const [refusal, setRefusal] = useState<string | null>(null);

  const run = (action: MoveAction) => {
    setRefusal(null);
    mutation.mutate(action, {
      onSuccess: onDone,
      onError: (error) => {
        const byField = error instanceof ApiProblem ? messagesByField(error.fieldErrors) : {};
        setMessages(byField);
        setRefusal(Object.keys(byField).length > 0 ? null : problemMessage(error));
      },
    });
  };
  const confirm = () => {
    if (kind === 'reschedule') {
      const body = { moveAt: localToIso(when.date, when.time) };
      const checked = rescheduleBody(DEFAULT_MOVE_HORIZON).safeParse(body);
      if (!checked.success) return setMessages(messagesByField(fieldErrors(checked.error, 'body')));
      return run({ kind, body: checked.data });
    }
    if (kind === 'cancel') return run({ kind, body: { reason } });
    run({ kind });
  };

  const common = {
    busy: mutation.isPending,
    onConfirm: confirm,
    onClose,
  };
  const refused = refusal && (
    <p role="alert" className="alert alert-error">
      {refusal}
    </p>
  );

  switch (kind) {
    case 'move-now':
      return (
        <ConfirmDialog {...common} title="Move now?" confirmLabel="Yes, move now" dismissLabel="No, keep the schedule">
          <p>
            {move.client.name} moves to {move.destinationSite.name} at once, instead of at{' '}
            <Time iso={move.scheduledFor} />.
          </p>
          {refused}
        </ConfirmDialog>
      );
    case 'reschedule':
      return (
        <ConfirmDialog
          {...common}
          title="Reschedule the move"
          confirmLabel="Save the new time"
          dismissLabel="Keep the time"
        >
          <p>
            Now scheduled for <Time iso={move.scheduledFor} />.
          </p>
          <fieldset className="field" aria-describedby={messages.moveAt ? 'reschedule-error' : undefined}>
            <legend>New date and time of move</legend>
            <FieldErrorText id="reschedule-error" messages={messages.moveAt} />
            <div className="schedule">
              <div className="field">
                <label htmlFor="reschedule-date">Date</label>
                <input
                  id="reschedule-date"
                  type="date"
                  value={when.date}
                  onChange={(e) => setWhen({ ...when, date: e.target.value })}
                  {...errorProps('reschedule-error', messages.moveAt)}
                />
              </div>
              <div className="field">
                <label htmlFor="reschedule-time">Time</label>
                <input
                  id="reschedule-time"
                  type="time"
                  value={when.time}
                  onChange={(e) => setWhen({ ...when, time: e.target.value })}
                  {...errorProps('reschedule-error', messages.moveAt)}
                />
              </div>
              <p className="hint">In your time zone, {viewerTimeZone}.</p>
            </div>
          </fieldset>
          {refused}
        </ConfirmDialog>
      );
    case 'cancel':
      return (
        <ConfirmDialog
          {...common}
          danger
          title="Cancel the move"
          confirmLabel="Yes, cancel the move"
          dismissLabel="No, keep the move"
        >
          <p>
            Nothing moves, and {move.client.name} is Active again at {move.sourceSite.name}.
          </p>
          <div className="field">
            <label htmlFor="cancel-reason">Reason</label>
            <p className="hint" id="cancel-reason-hint">
              Why the move is cancelled (1 to 500 characters).
            </p>
            <FieldErrorText id="cancel-reason-error" messages={messages.reason} />
            <textarea
              id="cancel-reason"
              rows={3}
              maxLength={500}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              {...errorProps('cancel-reason-error', messages.reason, 'cancel-reason-hint')}
            />
          </div>
          {refused}
        </ConfirmDialog>
      );
    case 'retry':
      return (
        <ConfirmDialog {...common} title="Retry the failed step?" confirmLabel="Yes, retry" dismissLabel="Not now">
          <p>Put the cause right first (for a blocked number, have the carrier unblock it), or the step stops again.</p>
          {refused}
        </ConfirmDialog>
      );
    case 'rollback':
      return (
        <ConfirmDialog
          {...common}
          danger
          title="Roll back the move?"
          confirmLabel="Yes, roll back"
          dismissLabel="No, keep the move"
        >
          <p>
            Everything moved so far is undone, and {move.client.name} is Active again at {move.sourceSite.name}.
          </p>
          {refused}
        </ConfirmDialog>
      );
  }
}
