// The wizard's form: what the operator has chosen so far, the start request it makes, and the
// checks it gets before Finish — the API's own request schema, so the words match the API's.
import { DEFAULT_MOVE_HORIZON, startMoveBody } from '../../../src/api/schemas';
import { fieldErrors } from '../../../src/api/fieldErrors';
import type { FieldError } from '../api/client';
import type { StartMoveInput } from '../api/moves';
import type { SummaryField } from '../components/forms';
import { localToIso } from '../format/time';

export interface WizardForm {
  when: 'now' | 'schedule';
  /** Local date and time (viewer's zone) when scheduled. */
  date: string;
  time: string;
  destinationSiteId: string;
  tariffId: string;
  /** '' for none: a minute bundle is optional. */
  minuteBundleId: string;
  spaceIds: string[];
  /** '' for no email. */
  notifyOperatorId: string;
}

export const EMPTY_FORM: WizardForm = {
  when: 'now',
  date: '',
  time: '',
  destinationSiteId: '',
  tariffId: '',
  minuteBundleId: '',
  spaceIds: [],
  notifyOperatorId: '',
};

export const WIZARD_STEPS = [
  'Pick A Site & Space',
  'Review Users',
  'Review Phone Numbers',
  'Review Services',
  'Review All Details',
] as const;

/** The start request as far as the form has it: blanks stay undefined, so validation says "is required". */
export function draftStartMove(clientId: string, form: WizardForm): Partial<StartMoveInput> {
  const blank = (value: string) => (value === '' ? undefined : value);
  return {
    clientId,
    destinationSiteId: blank(form.destinationSiteId),
    tariffId: blank(form.tariffId),
    minuteBundleId: blank(form.minuteBundleId) ?? null,
    spaceIds: form.spaceIds,
    moveAt: form.when === 'now' ? 'now' : localToIso(form.date, form.time),
    notifyOperatorId: blank(form.notifyOperatorId) ?? null,
  };
}

export type CheckedForm = { ok: true; body: StartMoveInput } | { ok: false; errors: FieldError[] };

/** The form checked with the API's own request schema (choices and times are the API's to judge). */
export function checkForm(clientId: string, form: WizardForm): CheckedForm {
  const result = startMoveBody(DEFAULT_MOVE_HORIZON).safeParse(draftStartMove(clientId, form));
  return result.success ? { ok: true, body: result.data } : { ok: false, errors: fieldErrors(result.error, 'body') };
}

/** The first step's controls, by the API field each one sets: labels are the product's words. */
export function formFields(form: WizardForm): SummaryField[] {
  return [
    { field: 'moveAt', label: 'Date & Time of Move', controlId: form.when === 'schedule' ? 'move-date' : 'move-now' },
    { field: 'destinationSiteId', label: 'Select A Site to Move', controlId: 'destination-site' },
    { field: 'tariffId', label: 'Client Tariff At Destination Site', controlId: 'destination-tariff' },
    { field: 'minuteBundleId', label: 'Client Minute Bundle At Destination Site', controlId: 'destination-bundle' },
    { field: 'spaceIds', label: 'Selected Spaces', controlId: 'spaces' },
    { field: 'notifyOperatorId', label: 'T2 user to receive email notification', controlId: 'notify-operator' },
  ];
}

/** A fresh Idempotency-Key. getRandomValues works on plain-HTTP origins too, unlike randomUUID. */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `wizard-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const pounds = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

export function monthlyFee(pence: number): string {
  return `${pounds.format(pence / 100)} a month`;
}
