// The API's check of the start request, on the last step before Finish: problems (what a start would
// refuse: Finish stays disabled, each links to the field it names) and warnings (what could stop or
// surprise the move later: blocked numbers, spaces too small, a client of nearly the same name at the
// destination, services the destination does not offer, items changed since the review).
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactElement } from 'react';
import type { StartCheck } from '../api/moves';
import { CheckFindings } from '../components/CheckFindings';
import { formField, type SummaryField } from '../components/forms';
import { Loading } from '../components/Loading';
import { problemMessage } from '../format/problems';

export function StartCheckFindings({
  check,
  fields,
  onGoTo,
}: {
  check: UseQueryResult<StartCheck>;
  fields: SummaryField[];
  onGoTo: (field: string) => void;
}): ReactElement {
  const fieldOf = (apiField: string | null) => fields.find((f) => apiField && f.field === formField(apiField));
  return (
    <section aria-labelledby="check-title" className="start-check">
      <h3 id="check-title">Before Finish</h3>
      {check.isPending && <Loading what="the check of the move" />}
      {check.isError && (
        <p className="alert alert-warning">
          The move could not be checked ({problemMessage(check.error)}). Finish checks the same rules again.
        </p>
      )}
      {check.data && check.data.problems.length > 0 && (
        <div className="error-summary" role="alert">
          <h4 id="check-problems-title">Finish is not possible: the start would be refused</h4>
          <p>Put these right first.</p>
          <CheckFindings
            findings={check.data.problems}
            lead={(problem) => {
              const field = fieldOf(problem.field);
              if (!field || !problem.field) return null;
              const apiField = problem.field;
              return (
                <>
                  <a
                    href={`#${field.controlId}`}
                    onClick={(event) => {
                      event.preventDefault();
                      onGoTo(apiField);
                    }}
                  >
                    {field.label}
                  </a>
                  {': '}
                </>
              );
            }}
          />
        </div>
      )}
      {check.data && check.data.warnings.length > 0 && (
        <div className="alert alert-warning">
          <h4>{check.data.warnings.length === 1 ? '1 warning' : `${check.data.warnings.length} warnings`}</h4>
          <p>The move can start, but these could stop or surprise it.</p>
          <CheckFindings
            findings={check.data.warnings}
            lead={(warning) => {
              const field = fieldOf(warning.field);
              return field ? `${field.label}: ` : null;
            }}
          />
        </div>
      )}
      {check.data && check.data.problems.length === 0 && check.data.warnings.length === 0 && (
        <p className="alert alert-success">The check found nothing that would stop or surprise the move.</p>
      )}
    </section>
  );
}
