// The one Temporal Web link, used by the API's move views and the outcome email. Pure: no servers.
import { temporalWebLink } from '../../src/domain/temporalWeb';
import { moveView, type MoveRow } from '../../src/api/views';

const run = { workflowId: 'client-site-move-42', runId: 'a1b2-c3' };

it('links a run to its history page, in the given namespace of the UI', () => {
  expect(temporalWebLink('http://127.0.0.1:8233', run, 'moves')).toBe(
    'http://127.0.0.1:8233/namespaces/moves/workflows/client-site-move-42/a1b2-c3/history',
  );
  expect(temporalWebLink('http://127.0.0.1:8233//', run)).toBe(
    'http://127.0.0.1:8233/namespaces/default/workflows/client-site-move-42/a1b2-c3/history',
  );
});

it('takes a namespace URL as it is, once', () => {
  expect(temporalWebLink('https://temporal.example/ui/namespaces/moves/', run, 'default')).toBe(
    'https://temporal.example/ui/namespaces/moves/workflows/client-site-move-42/a1b2-c3/history',
  );
});

it('links the workflow id alone while the run id is unknown, and escapes what it inserts', () => {
  expect(temporalWebLink('http://web', { workflowId: 'a/b c', runId: null }, 'ns 1')).toBe(
    'http://web/namespaces/ns%201/workflows/a%2Fb%20c',
  );
});

it("is the link a move's view carries", () => {
  const row = {
    id: 'm1',
    workflowId: run.workflowId,
    runId: run.runId,
    spaces: [],
    destinationSite: { timeZone: 'Europe/London' },
  } as unknown as MoveRow;
  const at = new Date(0);
  const view = moveView(
    { ...row, scheduledFor: at, createdAt: at, updatedAt: at, startedAt: null, finishedAt: null },
    { temporalWebUrl: 'http://127.0.0.1:8233/namespaces/moves', namespace: 'moves' },
  );
  expect(view.links.temporalWeb).toBe(temporalWebLink('http://127.0.0.1:8233/namespaces/moves', run));
  expect(view.links.temporalWeb).toBe(
    'http://127.0.0.1:8233/namespaces/moves/workflows/client-site-move-42/a1b2-c3/history',
  );
});
