// Plain data as the JSON columns keep it (progress, audit details, needs_human).
import type { Prisma } from './client';

/** JSON column value of plain data; the round trip drops undefined fields as JSON would. */
export function toJson(value: object): Prisma.InputJsonObject {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonObject;
}
