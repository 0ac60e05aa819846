// What was chosen in the wizard for this move, in the wizard's own words; its time at the destination
// site, zone named.
import type { ReactElement } from 'react';
import type { MoveDetail } from '../../../src/api/schemas';

export function MoveChoices({ move }: { move: MoveDetail }): ReactElement {
  return (
    <dl className="details">
      <dt>Client</dt>
      <dd>{move.client.name}</dd>
      <dt>From</dt>
      <dd>{move.sourceSite.name}</dd>
      <dt>Select A Site to Move</dt>
      <dd>{move.destinationSite.name}</dd>
      <dt>Date & Time of Move</dt>
      <dd>{move.moveNow ? 'Move Now' : <time dateTime={move.scheduledFor}>{move.scheduledAtSite.text}</time>}</dd>
      <dt>Client Tariff At Destination Site</dt>
      <dd>{move.tariff.name}</dd>
      <dt>Client Minute Bundle At Destination Site</dt>
      <dd>{move.minuteBundle?.name ?? 'None'}</dd>
      <dt>Selected Spaces</dt>
      <dd>{move.spaces.length > 0 ? move.spaces.map((s) => s.name).join(', ') : 'None'}</dd>
      <dt>T2 user to receive email notification</dt>
      <dd>{move.notifyOperator ? `${move.notifyOperator.name} (${move.notifyOperator.email})` : 'No email'}</dd>
    </dl>
  );
}
