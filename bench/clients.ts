// Clients the bench seeds in its own throwaway database, beside the demo seed (which has Acme
// Analytics Ltd, 2,100 items): any size, split as Acme is (about half users, a third numbers, the rest
// services), named and keyed like seed clients so the test fixtures find them by name.
import type { Db } from '../src/db/client';
import { seedId } from '../src/dev/seed';
import { bundleIdOf, siteIdOf, tariffIdOf } from '../test/support/moveFixtures';

export interface BenchClient {
  name: string;
  items: number;
}

/** Phone numbers the bench makes: +4479 and eight digits, never a demo seed number. */
let nextNumber = 0;

export async function createClient(db: Db, name: string, site: string, items: number): Promise<BenchClient> {
  const siteId = siteIdOf(site);
  const clientId = seedId(`client/${name}`);
  await db.client.create({
    data: {
      id: clientId,
      name,
      siteId,
      tariffId: tariffIdOf(site, 'Standard'),
      minuteBundleId: bundleIdOf(site, '500 minutes'),
    },
  });
  const users = Math.round(items * 0.48);
  const numbers = Math.round(items * 0.33);
  const services = items - users - numbers;
  await db.clientUser.createMany({
    data: Array.from({ length: users }, (_, i) => ({
      clientId,
      siteId,
      name: `User ${i}`,
      email: `u${i}@${clientId.slice(0, 8)}.example`,
    })),
  });
  await db.phoneNumber.createMany({
    data: Array.from({ length: numbers }, () => ({
      clientId,
      siteId,
      number: `+4479${String(nextNumber++).padStart(8, '0')}`,
    })),
  });
  await db.service.createMany({
    data: Array.from({ length: services }, (_, i) => ({
      clientId,
      siteId,
      type: 'INTERNET' as const,
      name: `Service ${i}`,
    })),
  });
  return { name, items };
}
