// How forms show what is wrong: a summary at the top (focused, so it is read out) that links to each
// field, and the same words beside the field itself. Field names are the API's (`errors[].field`).
import { useEffect, useRef, type ReactElement } from 'react';
import type { FieldError } from '../api/client';

/** The form field a problem is about: `spaceIds.2` is about `spaceIds`. */
export function formField(apiField: string): string {
  return apiField.split('.')[0] ?? apiField;
}

/** Messages by form field. */
export type FieldMessages = Record<string, string[]>;

export function messagesByField(errors: FieldError[]): FieldMessages {
  const byField: FieldMessages = {};
  for (const error of errors) (byField[formField(error.field)] ??= []).push(error.message);
  return byField;
}

export interface SummaryField {
  /** The form field (as the API names it). */
  field: string;
  /** The visible label of its control. */
  label: string;
  /** The id of the control to focus. */
  controlId: string;
}

export function ErrorSummary({
  detail,
  messages,
  fields,
  onGoTo,
}: {
  /** The problem in a sentence. */
  detail: string;
  messages: FieldMessages;
  fields: SummaryField[];
  /** Brings the control into view (e.g. another step) before it is focused. */
  onGoTo?: (field: string) => void;
}): ReactElement {
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => summary.current?.focus(), [detail, messages]);
  const listed = fields.filter((f) => messages[f.field]);
  const unplaced = Object.keys(messages).filter((field) => !fields.some((f) => f.field === field));
  return (
    <div ref={summary} className="error-summary" role="alert" tabIndex={-1} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">There is a problem</h2>
      <p>{detail}</p>
      {(listed.length > 0 || unplaced.length > 0) && (
        <ul>
          {listed.map((f) => (
            <li key={f.field}>
              <a
                href={`#${f.controlId}`}
                onClick={(event) => {
                  event.preventDefault();
                  onGoTo?.(f.field);
                  // After the step holding the control has rendered.
                  setTimeout(() => document.getElementById(f.controlId)?.focus());
                }}
              >
                {f.label}: {messages[f.field]!.join('; ')}
              </a>
            </li>
          ))}
          {unplaced.map((field) => (
            <li key={field}>
              {field}: {messages[field]!.join('; ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function FieldErrorText({ id, messages }: { id: string; messages: string[] | undefined }): ReactElement | null {
  if (!messages || messages.length === 0) return null;
  return (
    <p id={id} className="field-error">
      <span className="visually-hidden">Error: </span>
      {messages.join('; ')}
    </p>
  );
}

/** Props that tie a control to its hint and its error text. */
export interface DescribedControl {
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

export function errorProps(errorId: string, messages: string[] | undefined, hintId?: string): DescribedControl {
  const invalid = messages !== undefined && messages.length > 0;
  const describedBy = [hintId, invalid ? errorId : undefined].filter(Boolean).join(' ');
  return { 'aria-invalid': invalid ? true : undefined, 'aria-describedby': describedBy || undefined };
}

/** For a group (fieldset): its hint and error text, without aria-invalid (which groups do not take). */
export function groupErrorProps(
  errorId: string,
  messages: string[] | undefined,
  hintId?: string,
): Pick<DescribedControl, 'aria-describedby'> {
  return { 'aria-describedby': errorProps(errorId, messages, hintId)['aria-describedby'] };
}
