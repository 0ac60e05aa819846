// Where the operator is in the wizard: every step named, the current one marked.
import type { ReactElement } from 'react';
import { WIZARD_STEPS } from './wizardForm';

export function WizardProgress({ current }: { current: number }): ReactElement {
  return (
    <ol className="wizard-steps" aria-label="Steps of the Client Site Move">
      {WIZARD_STEPS.map((title, index) => (
        <li
          key={title}
          aria-current={index === current ? 'step' : undefined}
          className={index < current ? 'done' : index === current ? 'current' : undefined}
        >
          <span className="step-number" aria-hidden="true">
            {index + 1}
          </span>
          <span>
            {title}
            {index < current && <span className="visually-hidden"> (done)</span>}
          </span>
        </li>
      ))}
    </ol>
  );
}
