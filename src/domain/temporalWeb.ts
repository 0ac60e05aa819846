// Links into Temporal Web, for the API's move views and the outcome email alike. Pure: no I/O.

/** The run to link to; without a run id the link opens the workflow id (its latest run). */
export interface WorkflowRunRef {
  workflowId: string;
  runId: string | null;
}

/**
 * The page of a move's workflow run in Temporal Web. `baseUrl` is either the UI's base URL (the
 * namespace is then `namespace`, or `default`) or already a namespace URL such as
 * http://127.0.0.1:8233/namespaces/moves, which is used as it is.
 */
export function temporalWebLink(baseUrl: string, run: WorkflowRunRef, namespace = 'default'): string {
  const root = baseUrl.replace(/\/+$/, '');
  const namespaceUrl = /\/namespaces\/[^/]+$/.test(root) ? root : `${root}/namespaces/${encodeURIComponent(namespace)}`;
  const path = ['workflows', run.workflowId, ...(run.runId ? [run.runId, 'history'] : [])]
    .map(encodeURIComponent)
    .join('/');
  return `${namespaceUrl}/${path}`;
}
