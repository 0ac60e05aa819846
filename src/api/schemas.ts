// The API's shapes, once: requests are validated with these schemas, responses are typed by them,
// and the OpenAPI document is generated from them. `meta({ id })` names a component in the spec.
import { z } from 'zod';
import { durationMs } from '../domain/durations';
import { MOVE_ACTIONS, MOVE_PHASES } from '../domain/move';
import { EVENT_ACTORS, EVENT_KINDS } from '../moveService/moveEvents';
import { MoveCheckSchema, MovePhaseSchema, MoveProgressSchema } from '../moveService/progressSchema';
import { PROBLEMS, problemType } from './problemTypes';

const Id = z.uuid();
const Timestamp = z.iso.datetime({ offset: true }).describe('ISO-8601 with offset');

// ---------------------------------------------------------------------------------------- shared

export const Phase = MovePhaseSchema.meta({ id: 'MovePhase', description: 'The phase of a move' });

export const ProblemSchema = z
  .object({
    type: z.enum(
      Object.keys(PROBLEMS).map((slug) => problemType(slug as keyof typeof PROBLEMS)) as [string, ...string[]],
    ),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('What went wrong, for people'),
    requestId: z.string().optional().describe('Also in the X-Request-Id header and the logs'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('For validation and refused choices: each field that is wrong, and why'),
    activeMoveId: z.uuid().nullable().optional().describe('active-move-exists: the move in the way'),
    moveId: z.uuid().optional().describe('Idempotency problems: the move the key belongs to'),
    workflowId: z.string().optional().describe('workflow-already-running: the running workflow'),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `type` is stable, `detail` is for people' });

/**
 * An integer in a query string. Not z.coerce: that turns null into 0, and the spec generator (which
 * asks "does it accept null?") would then document the parameter as nullable.
 */
const queryInt = (min: number, max: number, fallback: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z.number().int().min(min).max(max).default(fallback),
  );

const Paging = {
  limit: queryInt(1, 100, 20).describe('Page size, 1 to 100'),
  offset: queryInt(0, 1_000_000, 0).describe('Items to skip'),
};

export const PageSchema = z
  .object({
    limit: z.number().int(),
    offset: z.number().int(),
    total: z.number().int(),
    nextOffset: z.number().int().nullable().describe('The offset of the next page; null on the last page'),
  })
  .meta({ id: 'Page' });

export const OperatorRoleSchema = z.enum(['T2_SUPER_ADMIN', 'T2_ADMIN']).meta({
  id: 'OperatorRole',
  description: 'T2_SUPER_ADMIN may start and change moves; T2_ADMIN may read',
});

export const SiteRef = z
  .object({
    id: Id,
    code: z.string(),
    name: z.string(),
    timeZone: z.string().describe("The site's IANA time zone: its times are shown (and may be given) in it"),
  })
  .meta({ id: 'SiteRef' });
const Named = z.object({ id: Id, name: z.string() });

// --------------------------------------------------------------------------------- sites, clients

export const SitesResponse = z.object({ items: z.array(SiteRef) }).meta({ id: 'SiteList' });

export const ClientStatus = z
  .enum(['ACTIVE', 'ACTIVE_MOVE_SCHEDULED', 'INACTIVE'])
  .meta({ id: 'ClientStatus', description: 'ACTIVE_MOVE_SCHEDULED is shown as "Active - move scheduled"' });

export const ClientSummary = z
  .object({
    id: Id,
    name: z.string(),
    status: ClientStatus,
    site: SiteRef,
    tariff: Named,
    minuteBundle: Named.nullable().describe('Null: the client has no minute bundle'),
  })
  .meta({ id: 'ClientSummary' });

export const ClientsQuery = z.strictObject({
  siteId: Id.optional().describe("Only this site's clients"),
  ...Paging,
});
export const ClientsResponse = z.object({ items: z.array(ClientSummary), page: PageSchema }).meta({ id: 'ClientList' });

export const ClientParams = z.strictObject({ clientId: Id });
export const SiteParams = z.strictObject({ siteId: Id });

export const MoveOptionsResponse = z
  .object({
    client: ClientSummary,
    activeMoveId: Id.nullable().describe('The move the client already has, if any (a new one cannot start)'),
    destinations: z.array(
      z.object({
        site: SiteRef,
        tariffs: z.array(Named.extend({ monthlyFeePence: z.number().int() })),
        minuteBundles: z.array(Named.extend({ minutes: z.number().int(), monthlyFeePence: z.number().int() })),
        vacantSpaces: z.array(Named.extend({ capacity: z.number().int() })),
      }),
    ),
    notifyContacts: z
      .array(Named.extend({ email: z.string(), role: OperatorRoleSchema }))
      .describe('T2 contacts who may receive the confirmation email'),
  })
  .meta({
    id: 'MoveOptions',
    description: "The wizard's first step: every site but the current one, with its choices",
  });

export const PreviewQuery = z.strictObject({
  limit: queryInt(1, 5000, 500).describe('Items listed per kind, 1 to 5000'),
  offset: queryInt(0, 1_000_000, 0).describe('Items skipped per kind'),
});

/** A local date-time without offset, e.g. 2026-12-01T09:00: a wall-clock time at a site. */
const LocalDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/)
  .describe('A local date-time at the destination site, e.g. 2026-12-01T09:00');

/** An IANA time zone, e.g. Europe/London. */
export const SiteTimeZone = z.string().regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$|^UTC$/, 'must be an IANA time zone');

const Digest = z.string().regex(/^[0-9a-f]{32}$/, 'must be a digest from the preview');
const Reviewed = (what: string) =>
  z.object({ count: z.number().int().min(0), digest: Digest }).describe(`The ${what} the review step showed`);

export const ReviewedCountsSchema = z
  .strictObject({ users: Reviewed('users'), phoneNumbers: Reviewed('phone numbers'), services: Reviewed('services') })
  .meta({ id: 'ReviewedCounts' });

export const MovePreviewResponse = z
  .object({
    client: ClientSummary,
    users: z.object({
      count: z.number().int(),
      digest: Digest.describe('Names this set of users: send it back with Finish (reviewed)'),
      items: z.array(Named.extend({ email: z.string() })),
    }),
    phoneNumbers: z.object({
      count: z.number().int(),
      digest: Digest,
      blocked: z.number().int().describe('Blocked numbers stop the move in NEEDS_ATTENTION until unblocked'),
      items: z.array(z.object({ id: Id, number: z.string(), status: z.enum(['ACTIVE', 'BLOCKED']) })),
    }),
    services: z.object({
      count: z.number().int(),
      digest: Digest,
      items: z.array(Named.extend({ type: z.string() })),
    }),
  })
  .meta({
    id: 'MovePreview',
    description: "The wizard's review steps: the users, phone numbers and live services that would move, with counts",
  });

// ------------------------------------------------------------------------------------------ moves

/** How far ahead a move may be scheduled (MOVE_MAX_AHEAD), as milliseconds and as people read it. */
export interface MoveHorizon {
  ms: number;
  text: string;
}

/**
 * MOVE_MAX_AHEAD's default: the web app checks its forms with it before sending them (the API enforces
 * the configured one, and its 400 names the field all the same).
 */
export const DEFAULT_MOVE_HORIZON: MoveHorizon = { ms: 365 * 86_400_000, text: '365 days' };

export function moveHorizon(move: { maxAhead: string }): MoveHorizon {
  return { ms: durationMs(move.maxAhead), text: move.maxAhead };
}

/**
 * A move time: ISO-8601 with offset, at most the horizon ahead (which also keeps it a date PostgreSQL
 * and ISO-8601 can hold: "9999-12-31T23:59:59-23:59" is in year 10000 in UTC). Whether it is in the
 * future is the move's rule, checked where the move is (422 move-time-in-past, invalid-move-time).
 */
function withinHorizon<S extends z.ZodType<string>>(schema: S, horizon: MoveHorizon): S {
  return schema.refine((value) => value === 'now' || Date.parse(value) <= Date.now() + horizon.ms, {
    message: `must be at most ${horizon.text} ahead`,
    // Only for a well-formed time: a malformed one gets the format's message alone.
    when: (payload) => payload.issues.length === 0,
  });
}

function buildStartMoveBody(horizon: MoveHorizon) {
  return z
    .strictObject({
      clientId: Id,
      destinationSiteId: Id,
      tariffId: Id.describe("The client's tariff at the destination"),
      minuteBundleId: Id.nullable()
        .optional()
        .describe("The client's minute bundle at the destination; null or left out: none (it is optional)"),
      spaceIds: z
        .array(Id)
        .max(50)
        .default([])
        .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a space')
        .describe('Vacant spaces at the destination the client moves into'),
      moveAt: withinHorizon(
        z.union([z.literal('now'), Timestamp, LocalDateTime], {
          error: (issue) =>
            issue.input === undefined
              ? 'is required'
              : 'must be "now", an ISO-8601 time with offset, or a local date-time such as 2026-12-01T09:00',
        }),
        horizon,
      ).describe(
        `"now", or when the move runs, in the future and at most ${horizon.text} ahead: an ISO-8601 time with offset, ` +
          'or a local date-time at the destination site (then `timeZone` is its zone)',
      ),
      timeZone: SiteTimeZone.optional().describe(
        "With a local `moveAt`: the destination site's IANA zone (the options give it); the move keeps that local time",
      ),
      notifyOperatorId: Id.nullable().optional().describe('The T2 contact emailed when the move finishes'),
      reviewed: ReviewedCountsSchema.optional().describe(
        "What the wizard's review steps showed (the preview's counts and digests): the move shows what changed since",
      ),
    })
    .meta({ id: 'StartMove' });
}

export const StartCheckResponse = z
  .object({
    ok: z.boolean().describe('True when a start with this body would be accepted now'),
    problems: z.array(MoveCheckSchema).describe("What the start would refuse; `type` is the start's problem type"),
    warnings: z.array(MoveCheckSchema).describe('What could stop or surprise the move later'),
  })
  .meta({ id: 'StartCheck' });

export type StartMoveBody = ReturnType<typeof buildStartMoveBody>;
/** The start request, with moveAt bounded by the configured horizon. */
export function startMoveBody(horizon: MoveHorizon): StartMoveBody {
  return buildStartMoveBody(horizon);
}

export const IdempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters')
    .optional()
    .describe('Repeat a start safely: the same key and body return the same move'),
});

export const MoveParams = z.strictObject({ id: Id });

export const MovesQuery = z.strictObject({
  order: z
    .enum(['newest', 'needs-attention-first'])
    .default('newest')
    .describe('newest: newest first. needs-attention-first: moves in NEEDS_ATTENTION first, then newest first'),
  status: z
    .preprocess((v) => (typeof v === 'string' ? v.split(',') : v), z.array(z.enum(MOVE_PHASES)))
    .optional()
    .describe('Phases, comma separated, e.g. SCHEDULED,NEEDS_ATTENTION'),
  siteId: Id.optional().describe('Moves from or to this site'),
  clientId: Id.optional(),
  ...Paging,
});

export const MoveSchema = z
  .object({
    id: Id,
    workflowId: z.string(),
    runId: z.string().nullable(),
    status: Phase,
    client: Named,
    sourceSite: SiteRef,
    destinationSite: SiteRef,
    tariff: Named,
    minuteBundle: Named.nullable().describe('Null: no minute bundle at the destination'),
    spaces: z.array(Named).describe('The destination spaces chosen'),
    moveNow: z.boolean(),
    scheduledFor: Timestamp,
    scheduledAtSite: z
      .object({
        localTime: z.string().describe('e.g. 2026-12-01T09:00'),
        timeZone: z.string(),
        text: z.string().describe('e.g. Tue 1 Dec 2026, 09:00 GMT'),
      })
      .describe("scheduledFor as the destination site's local time, zone named: what emails and the dashboard show"),
    notifyOperator: Named.extend({ email: z.string() }).nullable(),
    requestedBy: Named,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    lastError: z.string().nullable(),
    cancelReason: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    links: z.object({
      self: z.string(),
      temporalWeb: z.string().nullable().describe('The workflow in Temporal Web, when its address is configured'),
    }),
  })
  .meta({ id: 'Move' });

export const ProgressSource = z.enum(['temporal', 'database']).meta({
  id: 'ProgressSource',
  description:
    'temporal: live from the workflow. database: the last state the workflow mirrored (Temporal did not answer)',
});

export const MoveProgress = MoveProgressSchema.meta({ id: 'MoveProgress' });

export const MoveDetailSchema = MoveSchema.extend({
  progress: MoveProgress.nullable(),
  progressSource: ProgressSource,
}).meta({
  id: 'MoveDetail',
  description: 'A move with its progress; `status` is the live phase when Temporal answered',
});

export const MovesResponse = z.object({ items: z.array(MoveSchema), page: PageSchema }).meta({ id: 'MoveList' });

export const MoveEventsQuery = z.strictObject({ ...Paging });

export const MoveEventSchema = z
  .object({
    id: z.string(),
    at: z.string().describe('When, ISO-8601 UTC'),
    actor: z
      .enum(EVENT_ACTORS)
      .describe('operator: through the API; temporal: in Temporal Web or the CLI; system: the workflow itself'),
    operator: z.object({ id: z.string(), name: z.string() }).nullable(),
    kind: z.enum(EVENT_KINDS),
    action: z.enum(MOVE_ACTIONS).nullable(),
    phaseFrom: MovePhaseSchema.nullable(),
    phaseTo: MovePhaseSchema.nullable().describe('The phase the move was in after it'),
    summary: z.string().describe('What changed, in words'),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'MoveEvent' });

export const MoveEventsResponse = z
  .object({ items: z.array(MoveEventSchema), page: PageSchema })
  .meta({ id: 'MoveEventList' });

export const CancelBody = z
  .strictObject({
    // The workflow's own rule (1 to 500 characters, not blank), stated here so bad input stops at 400.
    reason: z
      .string()
      .min(1, { message: 'must be 1 to 500 characters', abort: true })
      .max(500, 'must be 1 to 500 characters')
      .regex(/\S/, 'must not be blank')
      .describe('Why: 1 to 500 characters'),
  })
  .meta({ id: 'CancelMove' });
function buildRescheduleBody(horizon: MoveHorizon) {
  return z
    .strictObject({
      moveAt: withinHorizon(
        z.union([Timestamp, LocalDateTime], {
          error: 'must be an ISO-8601 time with offset, or a local date-time such as 2026-12-01T09:00',
        }),
        horizon,
      ).describe(
        `The new time, in the future, at most ${horizon.text} ahead: ISO-8601 with offset, or a local date-time at the destination (with \`timeZone\`)`,
      ),
      timeZone: SiteTimeZone.optional().describe("With a local `moveAt`: the destination site's IANA zone"),
    })
    .meta({ id: 'RescheduleMove' });
}
export type RescheduleBody = ReturnType<typeof buildRescheduleBody>;
/** The reschedule request, with moveAt bounded by the configured horizon. */
export function rescheduleBody(horizon: MoveHorizon): RescheduleBody {
  return buildRescheduleBody(horizon);
}
export const NoBody = z.strictObject({}).meta({ id: 'NoBody', description: 'Send no body, or {}' });

// ------------------------------------------------------------------------------------- dashboard

export const TasksQuery = z.strictObject({
  open: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: open tasks only; false: closed only; omitted: all'),
  ...Paging,
});

export const DashboardTaskSchema = z
  .object({
    id: Id,
    moveId: Id,
    client: Named,
    sourceSite: SiteRef,
    destinationSite: SiteRef,
    title: z.string(),
    phase: Phase,
    open: z.boolean(),
    progress: MoveProgress.nullable(),
    progressSource: ProgressSource,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    closedAt: Timestamp.nullable(),
  })
  .meta({ id: 'DashboardTask' });

export const TasksResponse = z
  .object({ site: SiteRef, items: z.array(DashboardTaskSchema), page: PageSchema })
  .meta({ id: 'DashboardTaskList' });

// -------------------------------------------------------------------------------------- session

export const MeResponse = z
  .object({ id: Id, name: z.string(), email: z.string(), role: OperatorRoleSchema })
  .meta({ id: 'Me', description: 'The operator the token belongs to' });

export const SignInOptionsResponse = z
  .object({
    demoOperators: z
      .array(z.object({ name: z.string(), role: OperatorRoleSchema, token: z.string() }))
      .describe('Demo operators to sign in as: only where `npm start` runs the demo seed; empty in production'),
  })
  .meta({ id: 'SignInOptions' });

// ------------------------------------------------------------------------------------ operations

export const HealthResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

const Check = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z
    .string()
    .optional()
    .describe('How the check failed: "unavailable" or "no answer within N ms" (the detail is in the log)'),
});
export const ReadyResponse = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({ database: Check, temporal: Check }),
  })
  .meta({ id: 'Readiness' });

export type Page = z.infer<typeof PageSchema>;
export type Move = z.infer<typeof MoveSchema>;
export type MoveDetail = z.infer<typeof MoveDetailSchema>;
export type DashboardTask = z.infer<typeof DashboardTaskSchema>;
export type Me = z.infer<typeof MeResponse>;
export type DemoOperator = z.infer<typeof SignInOptionsResponse>['demoOperators'][number];
