// MoveProgress (src/domain/move.ts) as a zod schema: the API documents it and checks the copy the
// dashboard task keeps in the database before serving it. The type checks below keep the two in step.
import { z } from 'zod';
import {
  EMAIL_STATES,
  ITEM_KINDS,
  MOVE_ACTIONS,
  MOVE_PHASES,
  SUBJECT_KINDS,
  type MoveError,
  type MoveProgress,
} from '../domain/move';

const KindProgressSchema = z.object({ total: z.number().int(), done: z.number().int() });

export const MovePhaseSchema = z.enum(MOVE_PHASES);

export const MoveErrorSchema = z.object({
  type: z.string().describe('ApplicationFailure type, e.g. PhoneNumberBlocked; Unknown when the cause had none'),
  message: z.string(),
  step: z.string().nullable(),
  item: z
    .object({ kind: z.enum(SUBJECT_KINDS), id: z.string(), label: z.string() })
    .nullable()
    .describe('The item the failure is about, when it is about one'),
  nonRetryable: z.boolean().describe('True when retrying the same thing cannot help; an operator must act'),
  at: z.string(),
});

export const MoveCheckSchema = z.object({
  type: z.string().describe('Stable, e.g. space-occupied, phone-number-blocked, service-type-not-offered'),
  message: z.string(),
  field: z.string().nullable().describe('The request field it is about, e.g. spaceIds.1'),
  item: z.object({ kind: z.enum(SUBJECT_KINDS), id: z.string(), label: z.string() }).nullable(),
});

const KindCounts = z.object({ users: z.number().int(), phoneNumbers: z.number().int(), services: z.number().int() });

export const ReviewChangesSchema = z.object({
  added: KindCounts,
  removed: KindCounts,
  items: z
    .array(
      z.object({ change: z.enum(['added', 'removed']), kind: z.enum(ITEM_KINDS), id: z.string(), label: z.string() }),
    )
    .describe('The first few items added or removed since the review'),
});

export const MoveProgressSchema = z.object({
  moveId: z.string(),
  phase: MovePhaseSchema,
  scheduledFor: z.string().describe('ISO-8601; when the move runs'),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  currentStep: z
    .string()
    .nullable()
    .describe('A step such as PROVISION_SERVICES, rollback:<step>, WAITING, SNAPSHOT, NOTIFY; null when finished'),
  items: z.object({ users: KindProgressSchema, phoneNumbers: KindProgressSchema, services: KindProgressSchema }),
  lastError: MoveErrorSchema.nullable(),
  decisionDeadline: z
    .string()
    .nullable()
    .describe('In NEEDS_ATTENTION: when the move rolls back by itself if no one decides'),
  needsHuman: z.array(MoveErrorSchema).describe('After a failed rollback: what a human must put right'),
  email: z
    .object({ state: z.enum(EMAIL_STATES), error: z.string().nullable() })
    .describe('The outcome email as its outbox says: PENDING (retried through outages), SENT, FAILED, UNCERTAIN'),
  cancelReason: z.string().nullable(),
  outage: z
    .object({
      type: z.string(),
      message: z.string(),
      step: z.string(),
      since: z.string(),
      givesUpAt: z.string(),
    })
    .nullable()
    // Progress recorded before this field existed has none.
    .default(null)
    .describe('While an outage (e.g. the database unreachable) holds a step up: it retries by itself until givesUpAt'),
  warnings: z
    .array(MoveCheckSchema)
    .default([])
    .describe("The pre-move check's warnings as of its last run: what could stop or surprise the move"),
  actions: z
    .array(
      z.object({
        action: z.enum(MOVE_ACTIONS),
        byOperatorId: z.string().nullable().describe('Null: asked in Temporal (Temporal Web, the CLI)'),
        at: z.string(),
        detail: z.string().nullable(),
      }),
    )
    .default([])
    .describe('Every decision taken on the move, with who asked for it'),
  sinceReview: ReviewChangesSchema.nullable()
    .default(null)
    .describe('Once the move has read the client: what was added or removed since the operator reviewed it'),
  updatedAt: z.string(),
});

// Compile-time: the schema describes exactly the domain types, in both directions.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const progressMatches: Same<z.infer<typeof MoveProgressSchema>, MoveProgress> = true;
const errorMatches: Same<z.infer<typeof MoveErrorSchema>, MoveError> = true;
void progressMatches;
void errorMatches;
