// The last step: every choice (the time at the destination site, its zone named), what will move,
// and the API's check of the request: what would refuse the start, and what could stop or surprise
// the move later.
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactElement } from 'react';
import { useMovePreview, type MoveOptions } from '../api/clients';
import type { StartCheck } from '../api/moves';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { describeLocalTime, localDateTime } from '../format/time';
import { StartCheckFindings } from './StartCheckFindings';
import { formFields, monthlyFee, type WizardForm } from './wizardForm';

export function ReviewAllDetailsStep({
  clientId,
  options,
  form,
  startCheck,
  onChangeChoices,
  onGoToProblem,
}: {
  clientId: string;
  options: MoveOptions;
  form: WizardForm;
  startCheck: UseQueryResult<StartCheck>;
  onChangeChoices: () => void;
  /** Opens the first step at the field a problem names. */
  onGoToProblem: (field: string) => void;
}): ReactElement {
  const destination = options.destinations.find((d) => d.site.id === form.destinationSiteId);
  const tariff = destination?.tariffs.find((t) => t.id === form.tariffId);
  const bundle = destination?.minuteBundles.find((b) => b.id === form.minuteBundleId);
  const spaces = destination?.vacantSpaces.filter((s) => form.spaceIds.includes(s.id)) ?? [];
  const contact = options.notifyContacts.find((c) => c.id === form.notifyOperatorId);
  const local = form.when === 'schedule' ? localDateTime(form.date, form.time) : undefined;
  const moveAt = local && destination ? describeLocalTime(local, destination.site.timeZone) : null;

  return (
    <>
      <p>Review all the details of the client site move, then Finish.</p>
      <section aria-labelledby="review-choices">
        <h3 id="review-choices">The move</h3>
        <dl className="details">
          <dt>Client</dt>
          <dd>
            {options.client.name}, now at {options.client.site.name}
          </dd>
          <dt>Date & Time of Move</dt>
          <dd>
            {form.when === 'now'
              ? 'Move Now'
              : moveAt
                ? `${moveAt.atSite}${moveAt.forViewer ? `; ${moveAt.forViewer} your time` : ''}`
                : (local ?? 'Not chosen')}
          </dd>
          <dt>Select A Site to Move</dt>
          <dd>{destination ? `${destination.site.name} (${destination.site.code})` : 'Not chosen'}</dd>
          <dt>Client Tariff At Destination Site</dt>
          <dd>{tariff ? `${tariff.name} (${monthlyFee(tariff.monthlyFeePence)})` : 'Not chosen'}</dd>
          <dt>Client Minute Bundle At Destination Site</dt>
          <dd>{bundle ? `${bundle.name} (${monthlyFee(bundle.monthlyFeePence)})` : 'None'}</dd>
          <dt>Selected Spaces</dt>
          <dd>{spaces.length > 0 ? spaces.map((s) => s.name).join(', ') : 'None'}</dd>
          <dt>T2 user to receive email notification</dt>
          <dd>{contact ? `${contact.name} (${contact.email})` : 'No email'}</dd>
        </dl>
        <button type="button" className="button-secondary" onClick={onChangeChoices}>
          Change these choices
        </button>
      </section>
      <WhatMoves clientId={clientId} />
      <StartCheckFindings check={startCheck} fields={formFields(form)} onGoTo={onGoToProblem} />
    </>
  );
}

function WhatMoves({ clientId }: { clientId: string }) {
  const preview = useMovePreview(clientId, { offset: 0, limit: 1 });
  if (preview.isPending) return <Loading what="what moves" />;
  if (preview.isError) return <ProblemAlert error={preview.error} />;
  const { users, phoneNumbers, services } = preview.data;
  return (
    <section aria-labelledby="review-items">
      <h3 id="review-items">What moves</h3>
      <dl className="details">
        <dt>Users</dt>
        <dd>{users.count}</dd>
        <dt>Phone numbers</dt>
        <dd>
          {phoneNumbers.count}
          {phoneNumbers.blocked > 0 && ` (${phoneNumbers.blocked} blocked)`}
        </dd>
        <dt>Services</dt>
        <dd>{services.count}</dd>
      </dl>
      <p className="hint">
        The client shows “Active - move scheduled” until the move has finished, and the destination site’s dashboard
        shows a task. The move can take up to 30 minutes, depending on how much moves.
      </p>
    </section>
  );
}
