/** Domain errors of the AI optimizer; `app.ts` maps them to the one error contract. */

export type BudgetScope = 'user' | 'cell';

export class BudgetExceededError extends Error {
  constructor(
    readonly scope: BudgetScope,
    readonly limitUsd: number,
    readonly spentUsd: number,
    readonly resetAt: Date,
  ) {
    super(`The ${scope}'s daily AI budget of $${limitUsd} is spent`);
    this.name = 'BudgetExceededError';
  }
}

export class AllProvidersFailedError extends Error {
  constructor(readonly failures: { provider: string; model: string; reason: string }[]) {
    super(
      failures.length === 0
        ? 'No provider in the fallback chain can serve this request'
        : `Every provider failed: ${failures.map((f) => `${f.provider}/${f.model}: ${f.reason}`).join('; ')}`,
    );
    this.name = 'AllProvidersFailedError';
  }
}
