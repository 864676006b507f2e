/**
 * Batching for analyze-job: requests for the same model arriving within a
 * short window share one provider call (one prompt, an array of analyses).
 * Cost is split by each job's share of the input. If the batched answer fails
 * in any way, each job runs through the fallback chain alone.
 */
import type { JobAnalysis, JobInput } from '../../../lib/ai/contract.ts';
import type { CatalogEntry } from './catalog.ts';
import type { ChainResult, ProviderChain } from './provider-chain.ts';

export interface BatchedResult extends ChainResult<JobAnalysis> {
  /** Time this request waited for its batch to close. */
  batchWaitMs: number;
  batchSize: number;
}

interface Pending {
  job: JobInput;
  plan: readonly CatalogEntry[];
  deadline: number;
  inputTokens: number;
  submittedAt: number;
  resolve: (result: BatchedResult) => void;
  reject: (error: unknown) => void;
}

export class AnalyzeBatcher {
  private readonly queues = new Map<string, { items: Pending[]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly chain: ProviderChain,
    private readonly windowMs: number,
    private readonly maxSize: number,
    private readonly onBatch?: (size: number) => void,
  ) {}

  /** Whether a request planned like this goes through the batcher at all. */
  accepts(plan: readonly CatalogEntry[]): boolean {
    const first = plan[0];
    return this.windowMs > 0 && first !== undefined && first.provider !== 'embedded' && first.batch;
  }

  submit(
    job: JobInput,
    plan: readonly CatalogEntry[],
    deadline: number,
    inputTokens: number,
  ): Promise<BatchedResult> {
    const first = plan[0] as CatalogEntry;
    const key = `${first.provider}\u0000${first.model}`;
    return new Promise<BatchedResult>((resolve, reject) => {
      const pending: Pending = {
        job,
        plan,
        deadline,
        inputTokens,
        submittedAt: performance.now(),
        resolve,
        reject,
      };
      const queue = this.queues.get(key);
      if (queue) {
        queue.items.push(pending);
        if (queue.items.length >= this.maxSize) this.flush(key, first);
        return;
      }
      const timer = setTimeout(() => this.flush(key, first), this.windowMs);
      this.queues.set(key, { items: [pending], timer });
    });
  }

  private flush(key: string, entry: CatalogEntry): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    this.queues.delete(key);
    clearTimeout(queue.timer);
    void this.execute(entry, queue.items);
  }

  private async runAlone(item: Pending, waited: number, size: number): Promise<void> {
    try {
      const result = await this.chain.run(
        'analyze-job',
        { job: item.job },
        item.plan,
        item.deadline,
        item.inputTokens,
      );
      item.resolve({ ...result, batchWaitMs: waited, batchSize: size });
    } catch (error) {
      item.reject(error);
    }
  }

  private async execute(entry: CatalogEntry, items: Pending[]): Promise<void> {
    const started = performance.now();
    const waits = items.map((item) => started - item.submittedAt);
    this.onBatch?.(items.length);
    if (items.length === 1) {
      await this.runAlone(items[0] as Pending, waits[0] ?? 0, 1);
      return;
    }
    const deadline = Math.min(...items.map((item) => item.deadline));
    const { outputs, spend } = await this.chain.runBatch(
      entry,
      items.map((item) => item.job),
      deadline,
    );
    const totalChars = items.reduce((sum, item) => sum + item.job.description.length, 0) || 1;
    if (outputs) {
      items.forEach((item, index) => {
        const share = item.job.description.length / totalChars;
        item.resolve({
          output: outputs[index] as JobAnalysis,
          entry,
          inputTokens: Math.round(spend.inputTokens * share),
          outputTokens: Math.round(spend.outputTokens * share),
          costUsd: spend.costUsd * share,
          providerMs: spend.providerMs,
          batchWaitMs: waits[index] ?? 0,
          batchSize: items.length,
        });
      });
      return;
    }
    // The failed batch was still paid for: its cost goes to the first job's bill.
    await Promise.all(
      items.map(async (item, index) => {
        await this.runAlone(
          {
            ...item,
            resolve: (result) =>
              item.resolve(
                index === 0
                  ? {
                      ...result,
                      inputTokens: result.inputTokens + spend.inputTokens,
                      outputTokens: result.outputTokens + spend.outputTokens,
                      costUsd: result.costUsd + spend.costUsd,
                      providerMs: result.providerMs + spend.providerMs,
                    }
                  : result,
              ),
          },
          waits[index] ?? 0,
          items.length,
        );
      }),
    );
  }
}
