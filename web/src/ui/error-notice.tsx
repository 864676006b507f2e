/** An error as the user sees it: the server's message and the request id to quote to support. */
import { ApiProblem } from '../api/problem.ts';

export function ErrorNotice(props: { error: unknown; title?: string }) {
  const { error } = props;
  const message =
    error instanceof Error ? error.message : 'Something went wrong. Please try again.';
  const requestId = error instanceof ApiProblem ? error.requestId : undefined;
  return (
    <div class="notice notice-error" role="alert">
      <p class="notice-title">{props.title ?? 'Something went wrong'}</p>
      <p>{message}</p>
      {requestId && (
        <p class="request-id">
          Request id: <code>{requestId}</code>
        </p>
      )}
    </div>
  );
}

export function Loading(props: { label: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {props.label}…
    </p>
  );
}
