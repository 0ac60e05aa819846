// The frame of every signed-in page: a skip link, the product name, the pages, who is signed in.
import type { ReactNode, ReactElement } from 'react';
import { NavLink } from 'react-router';
import { ROLE_LABEL } from '../format/labels';
import { viewerTimeZone } from '../format/time';
import { useSession } from '../session/SessionProvider';
import { useOperator } from '../session/operator';

export function AppShell({ children }: { children: ReactNode }): ReactElement {
  const operator = useOperator();
  const { signOut } = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <span className="app-name">Connect Site Move</span>
        <nav aria-label="Pages">
          <ul>
            <li>
              <NavLink to="/clients">Clients</NavLink>
            </li>
            <li>
              <NavLink to="/dashboard">Dashboard</NavLink>
            </li>
            <li>
              <NavLink to="/moves">Moves</NavLink>
            </li>
          </ul>
        </nav>
        <div className="operator">
          <span>
            {operator.name} · {ROLE_LABEL[operator.role]}
          </span>
          <button type="button" className="button-link" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="app-footer">
        Times are shown at each move’s destination site, in the site’s time zone; you are in {viewerTimeZone}.
      </footer>
    </>
  );
}
