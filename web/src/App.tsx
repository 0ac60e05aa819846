// The pages, behind sign-in. Paths are bookmarkable; the token never appears in one.
import type { ReactElement } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { useMe } from './api/session';
import { ClientsPage } from './clients/ClientsPage';
import { Loading } from './components/Loading';
import { PageHeading } from './components/PageHeading';
import { ProblemAlert } from './components/ProblemAlert';
import { DashboardPage } from './dashboard/DashboardPage';
import { AppShell } from './layout/AppShell';
import { MovePage } from './moves/MovePage';
import { MovesPage } from './moves/MovesPage';
import { OperatorContext } from './session/operator';
import { SessionProvider, useSession } from './session/SessionProvider';
import { SignInPage } from './session/SignInPage';
import { ClientSiteMoveWizard } from './wizard/ClientSiteMoveWizard';

export function App(): ReactElement {
  return (
    <SessionProvider>
      <SignInGate />
    </SessionProvider>
  );
}

function SignInGate() {
  const { token } = useSession();
  return token ? <SignedIn /> : <SignInPage />;
}

function SignedIn() {
  const me = useMe();
  if (me.isPending) return <Loading what="your account" />;
  if (me.isError) return <ProblemAlert error={me.error} />;
  return (
    <OperatorContext.Provider value={me.data}>
      <AppShell>
        <Routes>
          <Route path="/" element={<Navigate to="/clients" replace />} />
          <Route path="/clients" element={<ClientsPage />} />
          <Route path="/clients/:clientId/site-move" element={<ClientSiteMoveWizard />} />
          <Route path="/dashboard" element={<DashboardPage />} />
          <Route path="/sites/:siteId/dashboard" element={<DashboardPage />} />
          <Route path="/moves" element={<MovesPage />} />
          <Route path="/moves/:moveId" element={<MovePage />} />
          <Route path="*" element={<PageHeading title="Page not found" />} />
        </Routes>
      </AppShell>
    </OperatorContext.Provider>
  );
}
