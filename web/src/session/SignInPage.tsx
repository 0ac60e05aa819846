// Sign-in: paste an operator token (checked against the API before it is kept). Where the API runs
// the demo seed it lists the demo operators, offered here as one-click sign-ins.
import { useState, type FormEvent, type ReactElement } from 'react';
import { MeResponse } from '../../../src/api/schemas';
import { ApiProblem, callApi } from '../api/client';
import { useSignInOptions } from '../api/session';
import { ErrorSummary, FieldErrorText, errorProps } from '../components/forms';
import { PageHeading } from '../components/PageHeading';
import { ROLE_LABEL } from '../format/labels';
import { problemMessage } from '../format/problems';
import { useSession } from './SessionProvider';

export function SignInPage(): ReactElement {
  const { signIn, endedBecause } = useSession();
  const options = useSignInOptions();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const tryToken = async (candidate: string) => {
    setBusy(true);
    setError(null);
    try {
      await callApi(candidate, '/api/me', MeResponse);
      signIn(candidate);
    } catch (failure) {
      setError(
        failure instanceof ApiProblem && failure.status === 401
          ? 'This token is not valid: check it and paste it again'
          : problemMessage(failure),
      );
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = token.trim();
    if (!trimmed) return setError('Paste your operator token');
    void tryToken(trimmed);
  };
  const tokenMessages = error ? [error] : undefined;

  return (
    <main id="main" className="sign-in">
      <PageHeading title="Sign in to Connect Site Move" />
      {endedBecause && (
        <p className="alert" role="status">
          {endedBecause}
        </p>
      )}
      {error && (
        <ErrorSummary
          detail="You are not signed in."
          messages={{ token: [error] }}
          fields={[{ field: 'token', label: 'Operator token', controlId: 'operator-token' }]}
        />
      )}
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="operator-token">Operator token</label>
          <p className="hint" id="operator-token-hint">
            Your API token (from <code>npm run operator:create</code>). It is kept in this tab only.
          </p>
          <FieldErrorText id="operator-token-error" messages={tokenMessages} />
          <input
            id="operator-token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            {...errorProps('operator-token-error', tokenMessages, 'operator-token-hint')}
          />
        </div>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      {options.data && options.data.demoOperators.length > 0 && (
        <section aria-labelledby="demo-title" className="demo-sign-in">
          <h2 id="demo-title">Development: sign in as a demo operator</h2>
          <ul>
            {options.data.demoOperators.map((operator) => (
              <li key={operator.token}>
                <button
                  type="button"
                  className="button-secondary"
                  disabled={busy}
                  onClick={() => void tryToken(operator.token)}
                >
                  Sign in as {operator.name}, {ROLE_LABEL[operator.role]}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
