/**
 * Screening answers: the answers a user gives again and again on application
 * forms, stored once in their profile (`PUT /v1/profile/answers`), one
 * document per user. The well-known questions have their own fields; any
 * other question is a custom pair of question and answer.
 */
import type postgres from 'postgres';
import { z } from 'zod';

const answer = z.string().trim().min(1).max(2_000);

export const screeningAnswersSchema = z
  .object({
    /** "Are you legally authorised to work in …?" e.g. "Yes, EU citizen". */
    workAuthorisation: answer.optional(),
    /** e.g. "4 weeks". */
    noticePeriod: answer.optional(),
    /** e.g. "€85,000 a year". */
    salaryExpectation: answer.optional(),
    /** Whether the user would relocate, e.g. "Yes" or "No, remote only". */
    relocation: answer.optional(),
    /** Any other question, matched by its wording. */
    custom: z
      .array(z.object({ question: z.string().trim().min(3).max(500), answer }).strict())
      .max(50)
      .default([]),
  })
  .strict();
export type ScreeningAnswers = z.infer<typeof screeningAnswersSchema>;

export const EMPTY_ANSWERS: ScreeningAnswers = { custom: [] };

export class ScreeningAnswersStore {
  constructor(private readonly sql: postgres.Sql) {}

  async get(userId: string): Promise<ScreeningAnswers & { updatedAt: string | null }> {
    const [row] = await this.sql<{ answers: ScreeningAnswers; updated_at: Date }[]>`
      select answers, updated_at from screening_answers where user_id = ${userId}`;
    return row
      ? { ...EMPTY_ANSWERS, ...row.answers, updatedAt: row.updated_at.toISOString() }
      : { ...EMPTY_ANSWERS, updatedAt: null };
  }

  async put(
    userId: string,
    answers: ScreeningAnswers,
  ): Promise<ScreeningAnswers & { updatedAt: string }> {
    const [row] = await this.sql<{ updated_at: Date }[]>`
      insert into screening_answers (user_id, answers)
      values (${userId}, ${this.sql.json(answers as unknown as postgres.JSONValue)})
      on conflict (user_id) do update set answers = excluded.answers, updated_at = now()
      returning updated_at`;
    return { ...answers, updatedAt: (row as { updated_at: Date }).updated_at.toISOString() };
  }
}
