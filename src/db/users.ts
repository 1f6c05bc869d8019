import type { UserStatus } from '../domain/outcomes.ts';
import type { RegType } from '../domain/registers.ts';
import type { Sql } from './pool.ts';

export interface UserRow {
  id: number;
  /** Null once the user was erased. */
  email: string | null;
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

/** Users who signed up with this user's registration number before them: a later sign-up is a claim on it. */
export async function earlierHoldersOfRegistration(sql: Sql, userId: number): Promise<number[]> {
  const rows = await sql<{ id: number }[]>`
    select other.id from users me
    join users other on other.reg_type = me.reg_type and other.reg_no = me.reg_no and other.id < me.id
    where me.id = ${userId}
    order by other.id`;
  return rows.map((row) => row.id);
}
