// The monitoring that ships in deploy/: Prometheus's own promtool checks the alert rules and the
// scrape configuration and runs the rules' unit tests (alerts.test.yml); every alert the issue asks
// for is there and points at a runbook section; every dashboard query is valid PromQL.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { testEnv } from '../support/env';
import { DEPLOY, alertRules, dashboardExpressions, dashboardPanels } from '../support/promql';

const PROMETHEUS = path.join(DEPLOY, 'prometheus');

function promtool(...args: string[]) {
  const result = spawnSync(testEnv('TEST_PROMTOOL'), args, { cwd: PROMETHEUS, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

it('promtool accepts the alert rules', () => {
  const result = promtool('check', 'rules', 'alerts.yml');
  expect(result.output).toContain('SUCCESS: 6 rules found');
  expect(result.status).toBe(0);
});

it('the alerts fire when they should and not before (promtool test rules)', () => {
  const result = promtool('test', 'rules', 'alerts.test.yml');
  expect(result.output).toContain('SUCCESS');
  expect(result.status).toBe(0);
});

it('promtool accepts the example scrape configuration, which loads the rules', () => {
  const result = promtool('check', 'config', 'prometheus.yml');
  expect(result.output).toContain('SUCCESS: 1 rule files found');
  expect(result.status).toBe(0);
});

it('has the alerts on-call needs, each naming a runbook section that exists', () => {
  const rules = alertRules();
  expect(rules.map((rule) => rule.alert).sort()).toEqual(
    [
      'ActivityFailureRate',
      'MoveFailed',
      'MoveNeedsAttention',
      'OutcomeEmailUncertain',
      'ScheduledMoveOverdue',
      'WorkerNotPolling',
    ].sort(),
  );
  const byName = Object.fromEntries(rules.map((rule) => [rule.alert, rule]));
  expect(byName.MoveNeedsAttention!.expr).toMatch(/csm_move_needs_attention_oldest_seconds\) > 15 \* 60/);
  expect(byName.ScheduledMoveOverdue!.expr).toMatch(/csm_move_scheduled_overdue_seconds\) > 5 \* 60/);
  const runbook = readFileSync(path.join(DEPLOY, '..', 'docs', 'operations.md'), 'utf8');
  const sections = new Set([...runbook.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim()));
  for (const rule of rules) {
    expect(rule.labels?.severity).toMatch(/^(page|warn)$/);
    const named = [...(rule.annotations?.description ?? '').matchAll(/runbook: ([^;)]+)/g)].map((m) => m[1]!.trim());
    expect({ alert: rule.alert, sections: named.length }).not.toEqual({ alert: rule.alert, sections: 0 });
    for (const section of named)
      expect({ alert: rule.alert, section, found: sections.has(section) }).toEqual({
        alert: rule.alert,
        section,
        found: true,
      });
  }
});

it('the Grafana dashboard is valid, and every query in it is valid PromQL', () => {
  const panels = dashboardPanels();
  expect(panels.filter((panel) => panel.type !== 'row').length).toBeGreaterThanOrEqual(15);
  const expressions = dashboardExpressions();
  for (const expr of expressions) {
    const result = promtool('--experimental', 'promql', 'format', expr);
    expect({ expr, output: result.output.trim(), status: result.status }).toMatchObject({ expr, status: 0 });
  }
});
