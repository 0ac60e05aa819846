// The Client Site Move wizard, step by step as in Connect: Pick A Site & Space, Review Users, Review
// Phone Numbers, Review Services, then review everything, with the API's check of the request (its
// problems keep Finish disabled, its warnings are shown), and Finish. Finish starts the move (with an
// Idempotency-Key kept across retries of the same request, and what the review steps showed) and opens
// the move's page. Errors from the API appear beside the field they name and in a summary; the form
// keeps what was entered.
import { useEffect, useRef, useState, type FormEvent, type ReactElement } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiProblem, type Problem } from '../api/client';
import { useMoveOptions, type MoveOptions } from '../api/clients';
import { useStartCheck, useStartMove, type StartMoveInput } from '../api/moves';
import { ErrorSummary, formField, messagesByField, type FieldMessages } from '../components/forms';
import { Loading } from '../components/Loading';
import { PageHeading } from '../components/PageHeading';
import { ProblemAlert } from '../components/ProblemAlert';
import { problemMessage } from '../format/problems';
import { useCanChangeMoves } from '../session/operator';
import { PickSiteAndSpaceStep } from './PickSiteAndSpaceStep';
import { ReviewAllDetailsStep } from './ReviewAllDetailsStep';
import { ReviewPhoneNumbersStep } from './ReviewPhoneNumbersStep';
import { ReviewServicesStep } from './ReviewServicesStep';
import { ReviewUsersStep } from './ReviewUsersStep';
import { WizardProgress } from './WizardProgress';
import {
  EMPTY_FORM,
  WIZARD_STEPS,
  checkForm,
  formFields,
  newIdempotencyKey,
  reviewedCounts,
  type ReviewSeen,
  type WizardForm,
} from './wizardForm';

const LAST_STEP = WIZARD_STEPS.length - 1;

/** The API field each form value feeds, so editing a value clears the error about it. */
const API_FIELD: Record<keyof WizardForm, string> = {
  when: 'moveAt',
  date: 'moveAt',
  time: 'moveAt',
  destinationSiteId: 'destinationSiteId',
  tariffId: 'tariffId',
  minuteBundleId: 'minuteBundleId',
  spaceIds: 'spaceIds',
  notifyOperatorId: 'notifyOperatorId',
};

export function ClientSiteMoveWizard(): ReactElement {
  const { clientId = '' } = useParams();
  const canChangeMoves = useCanChangeMoves();
  const options = useMoveOptions(clientId);

  if (!canChangeMoves) {
    return (
      <>
        <PageHeading title="Client Site Move" />
        <p className="alert">Only a T2 Super Admin is able to perform the Client Site Move function.</p>
      </>
    );
  }
  if (options.isPending) return <Loading what="the client’s choices" />;
  if (options.isError) {
    return (
      <>
        <PageHeading title="Client Site Move" />
        <ProblemAlert error={options.error} />
      </>
    );
  }
  const { client, activeMoveId } = options.data;
  if (activeMoveId) {
    return (
      <>
        <PageHeading title={`Client Site Move: ${client.name}`} />
        <p className="alert">
          {client.name} already has a move that has not finished.{' '}
          <Link to={`/moves/${activeMoveId}`}>Open that move</Link> to follow, reschedule or cancel it.
        </p>
      </>
    );
  }
  return <WizardSteps clientId={clientId} options={options.data} />;
}

interface Failure {
  detail: string;
  messages: FieldMessages;
  /** A move the problem names (the one in the way, or one whose start is not known yet). */
  moveId: string | null;
}

function failureOf(error: unknown): Failure {
  const problem: Problem | null = error instanceof ApiProblem ? error.problem : null;
  return {
    detail: problemMessage(error),
    messages: problem ? messagesByField(problem.errors ?? []) : {},
    moveId: problem?.activeMoveId ?? problem?.moveId ?? null,
  };
}

function WizardSteps({ clientId, options }: { clientId: string; options: MoveOptions }) {
  const navigate = useNavigate();
  const startMove = useStartMove();
  const [step, setStep] = useState(0);
  const [form, setForm] = useState<WizardForm>(EMPTY_FORM);
  const [offsets, setOffsets] = useState({ users: 0, phoneNumbers: 0, services: 0 });
  const [reviewSeen, setReviewSeen] = useState<ReviewSeen>({});
  const [failure, setFailure] = useState<Failure | null>(null);
  // One key per distinct request: a retry of the same request (double click, network error) reuses it.
  const submission = useRef<{ body: string; key: string } | null>(null);
  const stepHeading = useRef<HTMLHeadingElement>(null);
  const firstRender = useRef(true);

  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    // The error summary takes focus itself when there is one.
    if (!failure) stepHeading.current?.focus();
    // Only on a change of step.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [step]);

  const change = (patch: Partial<WizardForm>) => {
    setForm((current) => ({ ...current, ...patch }));
    if (!failure) return;
    const cleared = new Set(Object.keys(patch).map((key) => API_FIELD[key as keyof WizardForm]));
    const messages = Object.fromEntries(Object.entries(failure.messages).filter(([field]) => !cleared.has(field)));
    const hadFields = Object.keys(failure.messages).length > 0;
    // Once every field it named has been changed, the summary has nothing left to say.
    setFailure(hadFields && Object.keys(messages).length === 0 ? null : { ...failure, messages });
  };

  // The last step asks the API what a start with this very request would meet.
  const checked = step === LAST_STEP ? checkForm(clientId, form, options, reviewedCounts(reviewSeen)) : null;
  const startCheck = useStartCheck(checked?.ok ? checked.body : null);
  const problems = startCheck.data?.problems ?? [];
  // While the check runs, and while it finds problems, Finish waits; if it cannot run, the start
  // checks the same rules itself (and a form the check was not asked about goes back to its errors).
  const finishBlocked = checked?.ok === true && (startCheck.isPending || problems.length > 0);

  /** From a problem the check found to its field on the first step, the check's words beside it. */
  const goToProblem = (field: string) => {
    const messages = messagesByField(
      problems.flatMap((p) => (p.field ? [{ field: p.field, message: p.message }] : [])),
    );
    setFailure({ detail: 'The check before Finish found problems: put these right.', messages, moveId: null });
    setStep(0);
    const control = formFields(form).find((f) => f.field === formField(field))?.controlId;
    // After the first step has rendered.
    if (control) setTimeout(() => document.getElementById(control)?.focus());
  };

  const finish = (body: StartMoveInput) => {
    const json = JSON.stringify(body);
    if (submission.current?.body !== json) submission.current = { body: json, key: newIdempotencyKey() };
    startMove.mutate(
      { body, idempotencyKey: submission.current.key },
      {
        onSuccess: (move) => void navigate(`/moves/${move.id}`),
        onError: (error) => {
          const next = failureOf(error);
          setFailure(next);
          // Field errors are about the first step's choices: show them beside their controls.
          if (Object.keys(next.messages).length > 0) setStep(0);
        },
      },
    );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (step === 0 || step === LAST_STEP) {
      const ready = checkForm(clientId, form, options, reviewedCounts(reviewSeen));
      if (!ready.ok) {
        setFailure({ detail: 'Some choices need attention.', messages: messagesByField(ready.errors), moveId: null });
        setStep(0);
        return;
      }
      if (step === LAST_STEP) {
        if (finishBlocked) return;
        return finish(ready.body);
      }
    }
    setFailure(null);
    setStep(step + 1);
  };

  const review = (kind: keyof typeof offsets) => ({
    clientId,
    offset: offsets[kind],
    onOffset: (offset: number) => setOffsets({ ...offsets, [kind]: offset }),
    onSeen: (seen: ReviewSeen[typeof kind]) => setReviewSeen((current) => ({ ...current, [kind]: seen })),
  });

  return (
    <>
      <PageHeading title={`Client Site Move: ${options.client.name}`} />
      <WizardProgress current={step} />
      {failure && (
        <>
          <ErrorSummary
            detail={failure.detail}
            messages={failure.messages}
            fields={formFields(form)}
            onGoTo={() => setStep(0)}
          />
          {failure.moveId && (
            <p>
              <Link to={`/moves/${failure.moveId}`}>Open the move it is about</Link>
            </p>
          )}
        </>
      )}
      <form className="wizard" onSubmit={submit} noValidate aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title" ref={stepHeading} tabIndex={-1}>
          {WIZARD_STEPS[step]}
        </h2>
        {step === 0 && (
          <PickSiteAndSpaceStep options={options} form={form} onChange={change} messages={failure?.messages ?? {}} />
        )}
        {step === 1 && <ReviewUsersStep {...review('users')} />}
        {step === 2 && <ReviewPhoneNumbersStep {...review('phoneNumbers')} />}
        {step === 3 && <ReviewServicesStep {...review('services')} />}
        {step === LAST_STEP && (
          <ReviewAllDetailsStep
            clientId={clientId}
            options={options}
            form={form}
            startCheck={startCheck}
            onChangeChoices={() => setStep(0)}
            onGoToProblem={goToProblem}
          />
        )}
        <div className="actions wizard-actions">
          {step > 0 && (
            <button type="button" className="button-secondary" onClick={() => setStep(step - 1)}>
              Back
            </button>
          )}
          {step < LAST_STEP ? (
            <button type="submit">Next</button>
          ) : (
            <button
              type="submit"
              disabled={startMove.isPending || finishBlocked}
              aria-busy={startMove.isPending || startCheck.isFetching}
              aria-describedby={problems.length > 0 ? 'check-problems-title' : undefined}
            >
              {startMove.isPending ? 'Starting the move…' : 'Finish'}
            </button>
          )}
        </div>
      </form>
    </>
  );
}
