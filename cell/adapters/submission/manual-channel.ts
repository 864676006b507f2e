/**
 * The `manual` channel: no network. The user applies on their own and
 * confirms it; submitting through this channel records that confirmation.
 */
import type { SubmissionChannel, SubmissionReceipt } from './types.ts';

export class ManualChannel implements SubmissionChannel {
  readonly name = 'manual';
  readonly requiresCredentials = false;
  readonly remoteDedupes = true; // nothing is sent, so nothing can be sent twice
  readonly timeoutMs = 1_000;

  validateCredentials(): void {}

  async submit(): Promise<SubmissionReceipt> {
    return { status: 'submitted', channel: this.name };
  }
}
