/** Users of this cell: initialised by the router at signup, idempotently. */
import type postgres from 'postgres';
import { appendEvent } from './events.ts';

export interface CellUser {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

export class UsersService {
  constructor(private readonly sql: postgres.Sql) {}

  /** Creates the user if new; returns whether it was created. Safe to repeat. */
  async initialize(user: {
    id: string;
    email: string;
    name: string;
  }): Promise<{ created: boolean }> {
    return this.sql.begin(async (tx) => {
      const inserted = await tx`
        insert into users (id, email, name) values (${user.id}, ${user.email}, ${user.name})
        on conflict (id) do nothing
        returning id`;
      if (inserted.length === 0) return { created: false };
      await appendEvent(tx, {
        type: 'user.initialized',
        userId: user.id,
        data: { email: user.email },
      });
      return { created: true };
    });
  }

  async find(id: string): Promise<CellUser | undefined> {
    const [row] = await this.sql<CellUser[]>`
      select id, email, name, created_at as "createdAt" from users where id = ${id}`;
    return row;
  }
}
