import type { UserStatus } from '../domain/outcomes.ts';
import type { RegType } from '../domain/registers.ts';
import type { Sql } from './pool.ts';

export interface UserRow {
  id: number;
  email: string;
  regNo: string;
  regType: RegType;
  status: UserStatus;
}

export async function findUser(sql: Sql, userId: number): Promise<UserRow | null> {
  const [row] = await sql<UserRow[]>`
    select id, email, reg_no as "regNo", reg_type as "regType", status from users where id = ${userId}`;
  return row ?? null;
}

export async function getUser(sql: Sql, userId: number): Promise<UserRow> {
  const user = await findUser(sql, userId);
  if (!user) throw new Error(`user ${userId} does not exist`);
  return user;
}
