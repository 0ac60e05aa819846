-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "OperatorRole" AS ENUM ('T2_SUPER_ADMIN', 'T2_ADMIN');

-- CreateEnum
CREATE TYPE "ClientStatus" AS ENUM ('ACTIVE', 'ACTIVE_MOVE_SCHEDULED', 'INACTIVE');

-- CreateEnum
CREATE TYPE "PhoneNumberStatus" AS ENUM ('ACTIVE', 'BLOCKED');

-- CreateEnum
CREATE TYPE "ServiceType" AS ENUM ('INTERNET', 'VOICE', 'PRINTING', 'MEETING_ROOMS', 'MAIL_HANDLING', 'STORAGE');

-- CreateEnum
CREATE TYPE "ServiceStatus" AS ENUM ('ACTIVE', 'DECOMMISSIONED');

-- CreateEnum
CREATE TYPE "MovePhase" AS ENUM ('SCHEDULED', 'MOVING', 'NEEDS_ATTENTION', 'ROLLING_BACK', 'COMPLETED', 'ROLLED_BACK', 'CANCELLED', 'FAILED');

-- CreateEnum
CREATE TYPE "MoveItemKind" AS ENUM ('SERVICE', 'PHONE_NUMBER', 'USER');

-- CreateEnum
CREATE TYPE "MoveItemStatus" AS ENUM ('PENDING', 'MOVED', 'ROLLED_BACK', 'FAILED');

-- CreateEnum
CREATE TYPE "MoveSpaceRole" AS ENUM ('TARGET', 'ORIGINAL');

-- CreateEnum
CREATE TYPE "EmailStatus" AS ENUM ('PENDING', 'SENDING', 'SENT', 'FAILED', 'UNCERTAIN');

-- CreateTable
CREATE TABLE "operator" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" "OperatorRole" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operator_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "site" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "site_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "space" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "capacity" INTEGER NOT NULL,
    "client_id" UUID,

    CONSTRAINT "space_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tariff" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "monthly_fee_pence" INTEGER NOT NULL,

    CONSTRAINT "tariff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "minute_bundle" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "minutes" INTEGER NOT NULL,
    "monthly_fee_pence" INTEGER NOT NULL,

    CONSTRAINT "minute_bundle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "site_id" UUID NOT NULL,
    "status" "ClientStatus" NOT NULL DEFAULT 'ACTIVE',
    "tariff_id" UUID NOT NULL,
    "minute_bundle_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_user" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "client_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "phone_number" (
    "id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "client_id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "status" "PhoneNumberStatus" NOT NULL DEFAULT 'ACTIVE',

    CONSTRAINT "phone_number_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "service" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "type" "ServiceType" NOT NULL,
    "name" TEXT NOT NULL,
    "status" "ServiceStatus" NOT NULL DEFAULT 'ACTIVE',
    "replaces_service_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decommissioned_at" TIMESTAMPTZ(3),

    CONSTRAINT "service_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_site_move" (
    "id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "requested_by_id" UUID NOT NULL,
    "source_site_id" UUID NOT NULL,
    "destination_site_id" UUID NOT NULL,
    "tariff_id" UUID NOT NULL,
    "minute_bundle_id" UUID NOT NULL,
    "original_tariff_id" UUID,
    "original_minute_bundle_id" UUID,
    "move_now" BOOLEAN NOT NULL,
    "scheduled_for" TIMESTAMPTZ(3) NOT NULL,
    "notify_operator_id" UUID,
    "status" "MovePhase" NOT NULL DEFAULT 'SCHEDULED',
    "workflow_id" TEXT NOT NULL,
    "run_id" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "cancel_reason" TEXT,
    "needs_human" JSONB,
    "idempotency_key" TEXT,
    "request_fingerprint" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "client_site_move_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_site_move_space" (
    "move_id" UUID NOT NULL,
    "space_id" UUID NOT NULL,
    "role" "MoveSpaceRole" NOT NULL,

    CONSTRAINT "client_site_move_space_pkey" PRIMARY KEY ("move_id","role","space_id")
);

-- CreateTable
CREATE TABLE "move_item" (
    "id" UUID NOT NULL,
    "move_id" UUID NOT NULL,
    "kind" "MoveItemKind" NOT NULL,
    "item_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "from_site_id" UUID NOT NULL,
    "to_site_id" UUID NOT NULL,
    "status" "MoveItemStatus" NOT NULL DEFAULT 'PENDING',
    "new_item_id" UUID,
    "decommissioned_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "move_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dashboard_task" (
    "id" UUID NOT NULL,
    "site_id" UUID NOT NULL,
    "client_id" UUID NOT NULL,
    "move_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "phase" "MovePhase" NOT NULL,
    "open" BOOLEAN NOT NULL DEFAULT true,
    "progress" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "dashboard_task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_entry" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_operator_id" UUID,
    "action" TEXT NOT NULL,
    "client_id" UUID,
    "move_id" UUID,
    "details" JSONB NOT NULL DEFAULT '{}',
    "dedupe_key" TEXT,

    CONSTRAINT "audit_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_outbox" (
    "id" UUID NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "move_id" UUID,
    "to_email" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "status" "EmailStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "provider_message_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "email_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "operator_email_key" ON "operator"("email");

-- CreateIndex
CREATE UNIQUE INDEX "operator_token_hash_key" ON "operator"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "site_code_key" ON "site"("code");

-- CreateIndex
CREATE UNIQUE INDEX "site_name_key" ON "site"("name");

-- CreateIndex
CREATE INDEX "space_client_id_idx" ON "space"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "space_site_id_name_key" ON "space"("site_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "tariff_site_id_name_key" ON "tariff"("site_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "tariff_id_site_id_key" ON "tariff"("id", "site_id");

-- CreateIndex
CREATE UNIQUE INDEX "minute_bundle_site_id_name_key" ON "minute_bundle"("site_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "minute_bundle_id_site_id_key" ON "minute_bundle"("id", "site_id");

-- CreateIndex
CREATE INDEX "client_site_id_idx" ON "client"("site_id");

-- CreateIndex
CREATE UNIQUE INDEX "client_site_id_name_key" ON "client"("site_id", "name");

-- CreateIndex
CREATE INDEX "client_user_site_id_idx" ON "client_user"("site_id");

-- CreateIndex
CREATE UNIQUE INDEX "client_user_client_id_email_key" ON "client_user"("client_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "phone_number_number_key" ON "phone_number"("number");

-- CreateIndex
CREATE INDEX "phone_number_client_id_idx" ON "phone_number"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "service_replaces_service_id_key" ON "service"("replaces_service_id");

-- CreateIndex
CREATE INDEX "service_client_id_status_idx" ON "service"("client_id", "status");

-- CreateIndex
CREATE INDEX "client_site_move_client_id_idx" ON "client_site_move"("client_id");

-- CreateIndex
CREATE INDEX "client_site_move_status_idx" ON "client_site_move"("status");

-- CreateIndex
CREATE INDEX "client_site_move_destination_site_id_idx" ON "client_site_move"("destination_site_id");

-- CreateIndex
CREATE UNIQUE INDEX "client_site_move_workflow_id_run_id_key" ON "client_site_move"("workflow_id", "run_id");

-- CreateIndex
CREATE UNIQUE INDEX "client_site_move_requested_by_id_idempotency_key_key" ON "client_site_move"("requested_by_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "move_item_move_id_kind_status_idx" ON "move_item"("move_id", "kind", "status");

-- CreateIndex
CREATE UNIQUE INDEX "move_item_move_id_kind_item_id_key" ON "move_item"("move_id", "kind", "item_id");

-- CreateIndex
CREATE UNIQUE INDEX "dashboard_task_move_id_key" ON "dashboard_task"("move_id");

-- CreateIndex
CREATE INDEX "dashboard_task_site_id_open_idx" ON "dashboard_task"("site_id", "open");

-- CreateIndex
CREATE UNIQUE INDEX "audit_entry_dedupe_key_key" ON "audit_entry"("dedupe_key");

-- CreateIndex
CREATE INDEX "audit_entry_move_id_idx" ON "audit_entry"("move_id");

-- CreateIndex
CREATE INDEX "audit_entry_client_id_idx" ON "audit_entry"("client_id");

-- CreateIndex
CREATE UNIQUE INDEX "email_outbox_dedupe_key_key" ON "email_outbox"("dedupe_key");

-- CreateIndex
CREATE INDEX "email_outbox_move_id_idx" ON "email_outbox"("move_id");

-- AddForeignKey
ALTER TABLE "space" ADD CONSTRAINT "space_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "space" ADD CONSTRAINT "space_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tariff" ADD CONSTRAINT "tariff_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "minute_bundle" ADD CONSTRAINT "minute_bundle_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client" ADD CONSTRAINT "client_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client" ADD CONSTRAINT "client_tariff_id_site_id_fkey" FOREIGN KEY ("tariff_id", "site_id") REFERENCES "tariff"("id", "site_id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "client" ADD CONSTRAINT "client_minute_bundle_id_site_id_fkey" FOREIGN KEY ("minute_bundle_id", "site_id") REFERENCES "minute_bundle"("id", "site_id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "client_user" ADD CONSTRAINT "client_user_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_user" ADD CONSTRAINT "client_user_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "phone_number" ADD CONSTRAINT "phone_number_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "phone_number" ADD CONSTRAINT "phone_number_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service" ADD CONSTRAINT "service_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service" ADD CONSTRAINT "service_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "service" ADD CONSTRAINT "service_replaces_service_id_fkey" FOREIGN KEY ("replaces_service_id") REFERENCES "service"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "operator"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_notify_operator_id_fkey" FOREIGN KEY ("notify_operator_id") REFERENCES "operator"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_source_site_id_fkey" FOREIGN KEY ("source_site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_destination_site_id_fkey" FOREIGN KEY ("destination_site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_tariff_id_destination_site_id_fkey" FOREIGN KEY ("tariff_id", "destination_site_id") REFERENCES "tariff"("id", "site_id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_minute_bundle_id_destination_site_id_fkey" FOREIGN KEY ("minute_bundle_id", "destination_site_id") REFERENCES "minute_bundle"("id", "site_id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_original_tariff_id_source_site_id_fkey" FOREIGN KEY ("original_tariff_id", "source_site_id") REFERENCES "tariff"("id", "site_id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_original_minute_bundle_id_source_site_id_fkey" FOREIGN KEY ("original_minute_bundle_id", "source_site_id") REFERENCES "minute_bundle"("id", "site_id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- AddForeignKey
ALTER TABLE "client_site_move_space" ADD CONSTRAINT "client_site_move_space_move_id_fkey" FOREIGN KEY ("move_id") REFERENCES "client_site_move"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_site_move_space" ADD CONSTRAINT "client_site_move_space_space_id_fkey" FOREIGN KEY ("space_id") REFERENCES "space"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "move_item" ADD CONSTRAINT "move_item_move_id_fkey" FOREIGN KEY ("move_id") REFERENCES "client_site_move"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dashboard_task" ADD CONSTRAINT "dashboard_task_site_id_fkey" FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dashboard_task" ADD CONSTRAINT "dashboard_task_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dashboard_task" ADD CONSTRAINT "dashboard_task_move_id_fkey" FOREIGN KEY ("move_id") REFERENCES "client_site_move"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_entry" ADD CONSTRAINT "audit_entry_actor_operator_id_fkey" FOREIGN KEY ("actor_operator_id") REFERENCES "operator"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_entry" ADD CONSTRAINT "audit_entry_move_id_fkey" FOREIGN KEY ("move_id") REFERENCES "client_site_move"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_move_id_fkey" FOREIGN KEY ("move_id") REFERENCES "client_site_move"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Rules Prisma's schema language cannot state. Keep docs/data-model.md in step with these.

-- Phone numbers are E.164: a plus, a non-zero digit, 7 to 15 digits in all.
ALTER TABLE "phone_number" ADD CONSTRAINT "phone_number_e164" CHECK ("number" ~ '^\+[1-9][0-9]{6,14}$');

ALTER TABLE "operator" ADD CONSTRAINT "operator_token_hash_sha256" CHECK ("token_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "operator" ADD CONSTRAINT "operator_email_shape" CHECK ("email" ~ '^[^@[:space:]]+@[^@[:space:]]+$');
ALTER TABLE "space" ADD CONSTRAINT "space_capacity_positive" CHECK ("capacity" > 0);
ALTER TABLE "tariff" ADD CONSTRAINT "tariff_fee_not_negative" CHECK ("monthly_fee_pence" >= 0);
ALTER TABLE "minute_bundle" ADD CONSTRAINT "minute_bundle_minutes_positive" CHECK ("minutes" > 0);
ALTER TABLE "minute_bundle" ADD CONSTRAINT "minute_bundle_fee_not_negative" CHECK ("monthly_fee_pence" >= 0);

-- A decommissioned service says when; a live one does not.
ALTER TABLE "service" ADD CONSTRAINT "service_decommissioned_when"
  CHECK (("status" = 'DECOMMISSIONED') = ("decommissioned_at" IS NOT NULL));

ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_changes_site"
  CHECK ("source_site_id" <> "destination_site_id");
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_idempotency_pair"
  CHECK (("idempotency_key" IS NULL) = ("request_fingerprint" IS NULL));
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_finished_when_final"
  CHECK (("finished_at" IS NOT NULL) = ("status" IN ('COMPLETED', 'ROLLED_BACK', 'CANCELLED', 'FAILED')));

-- One active move per client (the workflow id policy enforces the same on the Temporal side).
CREATE UNIQUE INDEX "client_site_move_one_active_per_client" ON "client_site_move" ("client_id")
  WHERE "status" IN ('SCHEDULED', 'MOVING', 'NEEDS_ATTENTION', 'ROLLING_BACK');

ALTER TABLE "move_item" ADD CONSTRAINT "move_item_changes_site" CHECK ("from_site_id" <> "to_site_id");

-- A task is open exactly while its move is not in a final phase.
ALTER TABLE "dashboard_task" ADD CONSTRAINT "dashboard_task_open_while_active"
  CHECK ("open" = ("phase" IN ('SCHEDULED', 'MOVING', 'NEEDS_ATTENTION', 'ROLLING_BACK')));
ALTER TABLE "dashboard_task" ADD CONSTRAINT "dashboard_task_closed_when"
  CHECK ("open" = ("closed_at" IS NULL));

ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_sent_when"
  CHECK (("status" = 'SENT') = ("sent_at" IS NOT NULL));
ALTER TABLE "email_outbox" ADD CONSTRAINT "email_outbox_attempts_not_negative" CHECK ("attempts" >= 0);
