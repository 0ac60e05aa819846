// A move held up by an outage (the database unreachable, a step timing out) waits and retries by
// itself for a while: its page and its dashboard task say what it waits for, since when, and when it
// stops waiting and asks an operator, so nobody retries or rolls back what will recover on its own.
import type { ReactElement } from 'react';
import type { MoveOutage } from '../../../src/domain/move';
import { SiteTime } from '../components/Time';
import { stepLabel } from '../format/labels';

const WAITING_FOR: Record<string, string> = {
  DatabaseUnavailable: 'the database',
  Timeout: 'a step that timed out',
};

export function OutageWait({ outage, zone }: { outage: MoveOutage | null; zone: string }): ReactElement | null {
  if (!outage) return null;
  return (
    <div className="alert alert-warning outage-wait" role="status">
      <p className="alert-title">Waiting for {WAITING_FOR[outage.type] ?? outage.type}</p>
      <p>
        {stepLabel(outage.step)} is held up since <SiteTime iso={outage.since} zone={zone} /> ({outage.message}). The
        move retries by itself until <SiteTime iso={outage.givesUpAt} zone={zone} />, then asks an operator: nothing
        needs doing now.
      </p>
    </div>
  );
}
