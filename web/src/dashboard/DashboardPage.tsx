// A site's dashboard: the Client Site Move tasks of moves coming to it, open ones first, refreshed
// every second while the page is open.
import { useState, type ReactElement } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useDashboardTasks, useSites } from '../api/sites';
import { Loading } from '../components/Loading';
import { PageHeading } from '../components/PageHeading';
import { Pager } from '../components/Pager';
import { ProblemAlert } from '../components/ProblemAlert';
import { SitePicker } from '../components/SitePicker';
import { DashboardTaskCard } from './DashboardTaskCard';

const PAGE_SIZE = 20;

export function DashboardPage(): ReactElement {
  const { siteId } = useParams();
  const navigate = useNavigate();
  const sites = useSites();
  const [offset, setOffset] = useState(0);
  const tasks = useDashboardTasks(siteId, { offset, limit: PAGE_SIZE });
  const site = sites.data?.items.find((s) => s.id === siteId);

  return (
    <>
      <PageHeading title={site ? `Dashboard: ${site.name}` : 'Dashboard'} />
      <SitePicker
        value={siteId ?? ''}
        onChange={(next) => {
          setOffset(0);
          void navigate(next ? `/sites/${next}/dashboard` : '/dashboard');
        }}
      />
      {!siteId && <p>Choose a site to see the Client Site Moves coming to it.</p>}
      {siteId && tasks.isPending && <Loading what="tasks" />}
      {siteId && tasks.isError && <ProblemAlert error={tasks.error} />}
      {tasks.data && (
        <section aria-labelledby="tasks-title">
          <h2 id="tasks-title">Client Site Move tasks</h2>
          {tasks.data.items.length === 0 && <p>No Client Site Move is coming to this site.</p>}
          <div className="task-list">
            {tasks.data.items.map((task) => (
              <DashboardTaskCard key={task.id} task={task} />
            ))}
          </div>
          <Pager page={tasks.data.page} noun="tasks" onOffset={setOffset} />
        </section>
      )}
    </>
  );
}
