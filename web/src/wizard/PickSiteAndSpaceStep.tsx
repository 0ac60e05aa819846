// Step 1, "Pick A Site & Space": when (Move Now or Schedule Move, at the destination site's local
// time in its zone), where, the tariff and minute bundle there, spaces (optional, several) and the T2
// user to email. Everything after the site depends on the site, so changing the site clears those choices.
import type { ReactElement } from 'react';
import type { MoveOptions } from '../api/clients';
import { FieldErrorText, errorProps, groupErrorProps, type FieldMessages } from '../components/forms';
import { ROLE_LABEL } from '../format/labels';
import { describeLocalTime, localDateTime } from '../format/time';
import { monthlyFee, type WizardForm } from './wizardForm';

export function PickSiteAndSpaceStep({
  options,
  form,
  onChange,
  messages,
}: {
  options: MoveOptions;
  form: WizardForm;
  onChange: (patch: Partial<WizardForm>) => void;
  messages: FieldMessages;
}): ReactElement {
  const destination = options.destinations.find((d) => d.site.id === form.destinationSiteId);
  // A local time's errors may name the time or its zone: both are about Date & Time of Move.
  const timeMessages = [...(messages.moveAt ?? []), ...(messages.timeZone ?? [])];
  const timeErrors = timeMessages.length > 0 ? timeMessages : undefined;
  const toggleSpace = (spaceId: string, checked: boolean) =>
    onChange({ spaceIds: checked ? [...form.spaceIds, spaceId] : form.spaceIds.filter((id) => id !== spaceId) });

  return (
    <>
      <fieldset className="field" {...groupErrorProps('moveAt-error', timeErrors)}>
        <legend>Date & Time of Move</legend>
        <FieldErrorText id="moveAt-error" messages={timeErrors} />
        <div className="choice">
          <input
            type="radio"
            id="move-now"
            name="when"
            checked={form.when === 'now'}
            onChange={() => onChange({ when: 'now' })}
          />
          <label htmlFor="move-now">Move Now</label>
        </div>
        <div className="choice">
          <input
            type="radio"
            id="move-schedule"
            name="when"
            checked={form.when === 'schedule'}
            onChange={() => onChange({ when: 'schedule' })}
          />
          <label htmlFor="move-schedule">Schedule Move</label>
        </div>
        {form.when === 'schedule' && (
          <div className="schedule">
            <div className="field">
              <label htmlFor="move-date">Date</label>
              <input
                type="date"
                id="move-date"
                value={form.date}
                onChange={(e) => onChange({ date: e.target.value })}
                {...errorProps('moveAt-error', timeErrors, 'move-time-zone')}
              />
            </div>
            <div className="field">
              <label htmlFor="move-time">Time</label>
              <input
                type="time"
                id="move-time"
                value={form.time}
                onChange={(e) => onChange({ time: e.target.value })}
                {...errorProps('moveAt-error', timeErrors, 'move-time-zone')}
              />
            </div>
            <ScheduleHint site={destination?.site} date={form.date} time={form.time} />
          </div>
        )}
      </fieldset>

      <div className="field">
        <label htmlFor="destination-site">Select A Site to Move</label>
        <FieldErrorText id="destinationSiteId-error" messages={messages.destinationSiteId} />
        <select
          id="destination-site"
          value={form.destinationSiteId}
          onChange={(e) =>
            onChange({ destinationSiteId: e.target.value, tariffId: '', minuteBundleId: '', spaceIds: [] })
          }
          {...errorProps('destinationSiteId-error', messages.destinationSiteId)}
        >
          <option value="">Choose a site</option>
          {options.destinations.map((d) => (
            <option key={d.site.id} value={d.site.id}>
              {d.site.name} ({d.site.code})
            </option>
          ))}
        </select>
      </div>

      <div className="field">
        <label htmlFor="destination-tariff">Client Tariff At Destination Site</label>
        <FieldErrorText id="tariffId-error" messages={messages.tariffId} />
        <select
          id="destination-tariff"
          value={form.tariffId}
          disabled={!destination}
          onChange={(e) => onChange({ tariffId: e.target.value })}
          {...errorProps('tariffId-error', messages.tariffId)}
        >
          <option value="">{destination ? 'Choose a tariff' : 'Pick a site first'}</option>
          {destination?.tariffs.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({monthlyFee(t.monthlyFeePence)})
            </option>
          ))}
        </select>
      </div>

      <div className="field">
        <label htmlFor="destination-bundle">Client Minute Bundle At Destination Site</label>
        <FieldErrorText id="minuteBundleId-error" messages={messages.minuteBundleId} />
        <select
          id="destination-bundle"
          value={form.minuteBundleId}
          disabled={!destination}
          onChange={(e) => onChange({ minuteBundleId: e.target.value })}
          {...errorProps('minuteBundleId-error', messages.minuteBundleId)}
        >
          <option value="">{destination ? 'No minute bundle' : 'Pick a site first'}</option>
          {destination?.minuteBundles.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name} ({monthlyFee(b.monthlyFeePence)})
            </option>
          ))}
        </select>
      </div>

      <fieldset
        className="field"
        id="spaces"
        tabIndex={-1}
        {...groupErrorProps('spaceIds-error', messages.spaceIds, 'spaces-hint')}
      >
        <legend>Selected Spaces</legend>
        <p className="hint" id="spaces-hint">
          Optional: the vacant spaces at the new site the client moves into.
        </p>
        <FieldErrorText id="spaceIds-error" messages={messages.spaceIds} />
        {!destination && <p className="muted">Pick a site first.</p>}
        {destination && destination.vacantSpaces.length === 0 && (
          <p className="muted">{destination.site.name} has no vacant space.</p>
        )}
        {destination && destination.vacantSpaces.length > 0 && (
          <ul className="space-choices">
            {destination.vacantSpaces.map((space) => (
              <li key={space.id} className="choice">
                <input
                  type="checkbox"
                  id={`space-${space.id}`}
                  checked={form.spaceIds.includes(space.id)}
                  onChange={(e) => toggleSpace(space.id, e.target.checked)}
                />
                <label htmlFor={`space-${space.id}`}>
                  {space.name} (for {space.capacity})
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>

      <div className="field">
        <label htmlFor="notify-operator">T2 user to receive email notification</label>
        <p className="hint" id="notify-operator-hint">
          Optional: they get an email once the move has finished.
        </p>
        <FieldErrorText id="notifyOperatorId-error" messages={messages.notifyOperatorId} />
        <select
          id="notify-operator"
          value={form.notifyOperatorId}
          onChange={(e) => onChange({ notifyOperatorId: e.target.value })}
          {...errorProps('notifyOperatorId-error', messages.notifyOperatorId, 'notify-operator-hint')}
        >
          <option value="">No email</option>
          {options.notifyContacts.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}, {ROLE_LABEL[c.role]} ({c.email})
            </option>
          ))}
        </select>
      </div>
    </>
  );
}

/** Says whose clock the date and time are on (the destination's) and, once chosen, when that is. */
function ScheduleHint({
  site,
  date,
  time,
}: {
  site: MoveOptions['destinations'][number]['site'] | undefined;
  date: string;
  time: string;
}): ReactElement {
  const local = localDateTime(date, time);
  const described = site && local ? describeLocalTime(local, site.timeZone) : null;
  return (
    <p className="hint" id="move-time-zone">
      {site ? (
        <>
          At the destination site, in its time zone: {site.timeZone}.
          {described && (
            <>
              {' '}
              The move runs {described.atSite}
              {described.forViewer && `, ${described.forViewer} your time`}.
            </>
          )}
        </>
      ) : (
        'At the destination site, in its time zone: pick a site to see it.'
      )}
    </p>
  );
}
