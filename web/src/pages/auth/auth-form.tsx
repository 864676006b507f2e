/**
 * The sign-up and log-in form: real labels, the server's problems at their
 * fields (by JSON pointer), any other error with its request id, and the
 * session kept in memory on success.
 */
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { Link, navigate, useLocation } from '../../app/navigation.tsx';
import { signIn, useSession } from '../../session/session.ts';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { problemAt, TextField } from '../../ui/text-field.tsx';

type Mode = 'signup' | 'login';

function submit(mode: Mode, form: FormData) {
  const email = String(form.get('email') ?? '');
  const password = String(form.get('password') ?? '');
  if (mode === 'signup') {
    const name = String(form.get('name') ?? '');
    return call(api.POST('/v1/auth/signup', { body: { email, password, name } }));
  }
  return call(api.POST('/v1/auth/login', { body: { email, password } }));
}

/** Where to go after signing in: the `next` the user was sent from, if it is ours. */
function nextPath(search: URLSearchParams): string {
  const next = search.get('next');
  return next?.startsWith('/') && !next.startsWith('//') ? next : '/profile';
}

export function AuthForm(props: { mode: Mode }) {
  const { search } = useLocation();
  const session = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  const mutation = useMutation({
    mutationFn: (form: FormData) => submit(props.mode, form),
    onSuccess: (session) => {
      signIn(session);
      navigate(nextPath(search), { replace: true });
    },
  });
  useEffect(() => heading.current?.focus(), []);

  const problems = mutation.error instanceof ApiProblem ? mutation.error.problems : [];
  const fieldError = (name: string) => problemAt(problems, `/${name}`);
  const title = props.mode === 'signup' ? 'Create your account' : 'Log in';
  return (
    <main class="page narrow" id="main">
      <h1 tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {session.status === 'signed-out' && session.reason === 'expired' && (
        <p class="notice" role="status">
          Your session has ended. Log in again to continue where you were.
        </p>
      )}
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          mutation.mutate(new FormData(event.currentTarget));
        }}
      >
        {props.mode === 'signup' && (
          <TextField label="Name" name="name" autoComplete="name" error={fieldError('name')} />
        )}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          error={fieldError('email')}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete={props.mode === 'signup' ? 'new-password' : 'current-password'}
          error={fieldError('password')}
        />
        {mutation.error && (
          <ErrorNotice
            error={mutation.error}
            title={props.mode === 'signup' ? 'Could not sign up' : 'Could not log in'}
          />
        )}
        <button type="submit" disabled={mutation.isPending}>
          {mutation.isPending ? 'Please wait…' : props.mode === 'signup' ? 'Sign up' : 'Log in'}
        </button>
      </form>
      <p>
        {props.mode === 'signup' ? (
          <>
            Already have an account? <Link href="/login">Log in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/signup">Create an account</Link>
          </>
        )}
      </p>
    </main>
  );
}
