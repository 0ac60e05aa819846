// Workflow interceptors, bundled with the workflow (src/telemetry/tracing.ts names this module):
// OpenTelemetry spans for the workflow run and each activity it schedules, carried to the activities
// in their headers. They add no commands, so histories recorded without them still replay.
export { interceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';
