// Reading the monitoring files: the alert rules, the Grafana dashboard, and the metric names their
// PromQL expressions use (this project's csm_* and the Temporal SDK's temporal_*).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const DEPLOY = path.resolve(__dirname, '..', '..', 'deploy');

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(): AlertRule[] {
  const doc = parse(readFileSync(path.join(DEPLOY, 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: { rules: AlertRule[] }[];
  };
  return doc.groups.flatMap((group) => group.rules);
}

export interface DashboardPanel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

export function dashboardPanels(): DashboardPanel[] {
  const doc = JSON.parse(readFileSync(path.join(DEPLOY, 'grafana', 'connect-site-move.json'), 'utf8')) as {
    panels: DashboardPanel[];
  };
  return doc.panels;
}

/** Metric names as they appear on /metrics, e.g. csm_activity_duration_seconds_bucket. */
export function metricNames(expr: string): string[] {
  return [...new Set(expr.match(/\b(?:csm|temporal)_[a-z0-9_]+\b/g) ?? [])];
}

export function dashboardExpressions(): string[] {
  return dashboardPanels().flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}
