-- Know before it runs: site time zones, optional minute bundles, the service types a site offers,
-- and what the operator reviewed at Finish.

-- Sites carry an IANA time zone; a move scheduled as a site-local time keeps that time and zone.
ALTER TABLE "site" ADD COLUMN "time_zone" TEXT NOT NULL DEFAULT 'Europe/London';
ALTER TABLE "client_site_move" ADD COLUMN "scheduled_local_time" TEXT;
ALTER TABLE "client_site_move" ADD COLUMN "scheduled_time_zone" TEXT;
ALTER TABLE "client_site_move" ADD CONSTRAINT "client_site_move_local_time_with_zone"
  CHECK (("scheduled_local_time" IS NULL) = ("scheduled_time_zone" IS NULL));

-- A minute bundle is optional (Connect's own documentation): for a client, and at the destination.
-- The composite foreign keys stay: a null bundle needs no match (MATCH SIMPLE).
ALTER TABLE "client" ALTER COLUMN "minute_bundle_id" DROP NOT NULL;
ALTER TABLE "client_site_move" ALTER COLUMN "minute_bundle_id" DROP NOT NULL;

-- The service types each site offers; every existing site offers them all.
CREATE TABLE "site_service_type" (
    "site_id" UUID NOT NULL,
    "type" "ServiceType" NOT NULL,
    CONSTRAINT "site_service_type_pkey" PRIMARY KEY ("site_id", "type")
);
ALTER TABLE "site_service_type" ADD CONSTRAINT "site_service_type_site_id_fkey"
  FOREIGN KEY ("site_id") REFERENCES "site"("id") ON DELETE CASCADE ON UPDATE CASCADE;
INSERT INTO "site_service_type" ("site_id", "type")
  SELECT s."id", t."type" FROM "site" s CROSS JOIN unnest(enum_range(NULL::"ServiceType")) AS t("type");

-- What the operator reviewed: the counts and digests the wizard showed, and the items as they were
-- at Finish, so the move can show what was added or removed by the time it runs.
ALTER TABLE "client_site_move" ADD COLUMN "reviewed" JSONB;
CREATE TABLE "reviewed_item" (
    "move_id" UUID NOT NULL,
    "kind" "MoveItemKind" NOT NULL,
    "item_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    CONSTRAINT "reviewed_item_pkey" PRIMARY KEY ("move_id", "kind", "item_id")
);
ALTER TABLE "reviewed_item" ADD CONSTRAINT "reviewed_item_move_id_fkey"
  FOREIGN KEY ("move_id") REFERENCES "client_site_move"("id") ON DELETE CASCADE ON UPDATE CASCADE;
