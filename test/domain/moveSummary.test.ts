// A move in words for Temporal Web: the static summary the issue quotes, the wizard's choices, the
// current details at each phase, and the activity and timer summaries. Pure functions, no server.
import { emptyItemProgress, scheduledProgress, type MoveProgress } from '../../src/domain/move';
import {
  decisionTimerSummary,
  formatMoveTime,
  moveCurrentDetails,
  moveStaticDetails,
  moveStaticSummary,
  batchCount,
  stepActivitySummary,
  stepItems,
  waitTimerSummary,
  type MoveDescription,
} from '../../src/domain/moveSummary';

const acme: MoveDescription = {
  moveId: '6f1c2b1e-0000-4000-8000-000000000001',
  clientName: 'Acme Analytics Ltd',
  sourceSiteName: 'London Shoreditch',
  destinationSiteName: 'Manchester Spinningfields',
  timeZone: 'Europe/London',
  scheduledFor: '2026-12-01T09:00:00.000Z',
  moveNow: false,
  tariffName: 'Standard',
  minuteBundleName: '500 minutes',
  spaceNames: ['Office 9', 'Office 10'],
  notifyName: 'Alex Admin',
  requestedByName: 'Sam Super',
  movePageUrl: 'https://connect.example.com/moves/6f1c2b1e-0000-4000-8000-000000000001',
};

it('says who moves where and when, in the site’s time zone', () => {
  expect(moveStaticSummary(acme)).toBe(
    'Acme Analytics Ltd: London Shoreditch → Manchester Spinningfields, scheduled 1 Dec 09:00 Europe/London',
  );
  // British Summer Time: 08:00 UTC is 09:00 in London.
  expect(formatMoveTime('2026-07-01T08:00:00Z')).toBe('1 Jul 09:00 Europe/London');
  expect(moveStaticSummary({ ...acme, destinationSiteName: 'Amsterdam Zuidas', timeZone: 'Europe/Amsterdam' })).toBe(
    'Acme Analytics Ltd: London Shoreditch → Amsterdam Zuidas, scheduled 1 Dec 10:00 Europe/Amsterdam',
  );
  expect(moveStaticSummary({ ...acme, moveNow: true })).toBe(
    'Acme Analytics Ltd: London Shoreditch → Manchester Spinningfields, now',
  );
});

it('lists the wizard’s choices with a link to the move’s page, or the API path without one', () => {
  const details = moveStaticDetails(acme);
  expect(details).toContain('**Tariff** Standard · **Minute bundle** 500 minutes');
  expect(details).toContain('**Spaces** Office 9, Office 10');
  expect(details).toContain('**Outcome email** Alex Admin · **Requested by** Sam Super');
  expect(details).toContain(`[${acme.movePageUrl}](${acme.movePageUrl})`);
  const bare = moveStaticDetails({ ...acme, movePageUrl: null, spaceNames: [], notifyName: null });
  expect(bare).toContain(`GET /api/client-site-moves/${acme.moveId}`);
  expect(bare).toContain('**Spaces** none chosen');
  expect(bare).toContain('**Outcome email** none');
});

it('current details follow the move: waiting, moving with counts, needing a decision, needing a human', () => {
  const waiting = scheduledProgress(acme.moveId, acme.scheduledFor, true, '2026-11-28T10:00:00Z');
  expect(moveCurrentDetails(waiting)).toBe(
    [
      '**SCHEDULED** · Wait until 1 Dec 09:00 Europe/London',
      'Users 0/0 · Phone numbers 0/0 · Services 0/0',
      'Runs 1 Dec 09:00 Europe/London',
    ].join('\n\n'),
  );
  const items = { ...emptyItemProgress(), users: { total: 120, done: 40 }, phoneNumbers: { total: 12, done: 12 } };
  const moving: MoveProgress = { ...waiting, phase: 'MOVING', currentStep: 'MOVE_USERS', items };
  expect(moveCurrentDetails(moving)).toBe(
    '**MOVING** · Move users\n\nUsers 40/120 · Phone numbers 12/12 · Services 0/0',
  );
  const blocked: MoveProgress = {
    ...moving,
    phase: 'NEEDS_ATTENTION',
    currentStep: 'REHOME_PHONE_NUMBERS',
    decisionDeadline: '2026-12-02T09:00:00Z',
    lastError: {
      type: 'PhoneNumberBlocked',
      message: 'Phone number +442071234567 is blocked by the carrier',
      step: 'REHOME_PHONE_NUMBERS',
      item: { kind: 'PHONE_NUMBER', id: 'n1', label: '+442071234567' },
      nonRetryable: true,
      at: '2026-12-01T09:01:00Z',
    },
  };
  const text = moveCurrentDetails(blocked);
  expect(text).toContain('**NEEDS_ATTENTION** · Re-home phone numbers');
  expect(text).toContain('rolls back by itself at 2 Dec 09:00 Europe/London');
  expect(text).toContain(
    '**Last error** PhoneNumberBlocked (REHOME_PHONE_NUMBERS, +442071234567): Phone number +442071234567 is blocked by the carrier',
  );
  const failed: MoveProgress = {
    ...blocked,
    phase: 'FAILED',
    currentStep: null,
    decisionDeadline: null,
    needsHuman: [
      {
        ...blocked.lastError!,
        type: 'SpaceNotRestorable',
        step: 'rollback:ASSIGN_SPACES',
        item: null,
        message: 'Office 3 is taken',
      },
    ],
  };
  expect(moveCurrentDetails(failed)).toContain(
    '**Needs a human** SpaceNotRestorable (rollback:ASSIGN_SPACES): Office 3 is taken',
  );
  expect(moveCurrentDetails({ ...moving, phase: 'ROLLING_BACK', currentStep: 'rollback:MOVE_USERS' })).toContain(
    '**ROLLING_BACK** · Undo: give users back to the source site',
  );
});

it('names activities and their batches, and the timers', () => {
  expect(stepActivitySummary('MOVE_USERS', { batch: { number: 3, of: batchCount(10_000, 500) } })).toBe(
    'Move users: batch 3 of 20',
  );
  expect(batchCount(0, 500)).toBe(1);
  expect(stepActivitySummary('PROVISION_SERVICES', { undo: true, batch: { number: 1, of: batchCount(7, 5) } })).toBe(
    'Undo: remove the services provisioned at the destination: batch 1 of 2',
  );
  // A retry that finds more to do than counted never reads "batch 3 of 2".
  expect(stepActivitySummary('MOVE_USERS', { batch: { number: 3, of: 2 } })).toBe('Move users: batch 3 of 3');
  expect(stepActivitySummary('APPLY_TARIFF_AND_BUNDLE')).toBe('Apply the tariff and minute bundle');
  expect(stepItems('REHOME_PHONE_NUMBERS')).toBe('phoneNumbers');
  expect(stepItems('ASSIGN_SPACES')).toBeNull();
  expect(waitTimerSummary('2026-12-01T09:00:00Z')).toBe('Wait until 1 Dec 09:00 Europe/London');
  expect(decisionTimerSummary('2026-12-02T09:00:00Z')).toBe(
    'Roll back by itself at 2 Dec 09:00 Europe/London unless decided',
  );
});
