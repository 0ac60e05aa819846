// Creating an operator: the token is made here, shown once to whoever ran the command, and only
// its hash is stored.
import { z } from 'zod';
import type { Db } from '../db/client';
import { Prisma } from '../db/client';
import { hashToken, newToken } from '../domain/tokens';

export const NewOperatorSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email(),
  role: z.enum(['T2_SUPER_ADMIN', 'T2_ADMIN']),
});
export type NewOperator = z.infer<typeof NewOperatorSchema>;

export class OperatorExistsError extends Error {}

export interface CreatedOperator {
  id: string;
  name: string;
  email: string;
  role: NewOperator['role'];
  /** The bearer token; it exists nowhere else after this. */
  token: string;
}

export async function createOperator(db: Db, input: NewOperator): Promise<CreatedOperator> {
  const token = newToken();
  try {
    const operator = await db.operator.create({
      data: { name: input.name, email: input.email, role: input.role, tokenHash: hashToken(token) },
      select: { id: true, name: true, email: true, role: true },
    });
    return { ...operator, token };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new OperatorExistsError(`An operator with email ${input.email} already exists`);
    }
    throw error;
  }
}
