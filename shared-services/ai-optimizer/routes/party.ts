/** Who a request is for: the `x-cell-id` and `x-user-id` every task and ledger call must carry. */
import type { Context } from 'hono';
import { ApiError } from '../../../lib/errors.ts';
import type { AiEnv } from '../app.ts';
import type { RequestContext } from '../domain/optimizer.ts';

const CELL_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const USER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestParty(
  c: Context<AiEnv>,
  options: { userRequired?: boolean } = {},
): RequestContext {
  const cellId = c.req.header('x-cell-id');
  const userId = c.req.header('x-user-id');
  const problems: { header: string; message: string }[] = [];
  if (!cellId) problems.push({ header: 'x-cell-id', message: 'is required' });
  else if (!CELL_ID.test(cellId))
    problems.push({ header: 'x-cell-id', message: 'must be a lowercase id like cell-1' });
  if (options.userRequired !== false || userId !== undefined) {
    if (!userId) problems.push({ header: 'x-user-id', message: 'is required' });
    else if (!USER_ID.test(userId))
      problems.push({
        header: 'x-user-id',
        message: 'must be 1-128 characters of [A-Za-z0-9._:-]',
      });
  }
  if (problems.length > 0)
    throw new ApiError('bad_request', 'Missing or invalid x-cell-id / x-user-id header', {
      details: { problems },
    });
  return {
    cellId: cellId as string,
    userId: userId ?? '',
    requestId: c.get('requestId'),
    logger: c.get('logger'),
  };
}
