/**
 * The app shell: the header with the user's actions, the page for the current
 * path (each page its own chunk), and the session rules: a page that needs a
 * session sends a signed-out user to log in with their place kept.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense } from 'preact/compat';
import { useEffect } from 'preact/hooks';
import { api, call, refreshSession } from '../api/client.ts';
import { setSession, useSession } from '../session/session.ts';
import { ErrorBoundary } from '../ui/error-boundary.tsx';
import { Loading } from '../ui/error-notice.tsx';
import { Link, navigate, useLocation } from './navigation.tsx';

const pages = {
  '/login': { page: lazy(() => import('../pages/auth/login-page.tsx')), signedIn: false },
  '/signup': { page: lazy(() => import('../pages/auth/signup-page.tsx')), signedIn: false },
  // The operator console signs in with the admin token, not a job seeker's session.
  '/admin': { page: lazy(() => import('../pages/admin/admin-page.tsx')), signedIn: false },
  '/profile': { page: lazy(() => import('../pages/profile/profile-page.tsx')), signedIn: true },
  '/sources': {
    page: lazy(() => import('../pages/job-sources/job-sources-page.tsx')),
    signedIn: true,
  },
  '/jobs': { page: lazy(() => import('../pages/jobs/jobs-page.tsx')), signedIn: true },
  '/jobs/:id': {
    page: lazy(() => import('../pages/job-detail/job-detail-page.tsx')),
    signedIn: true,
  },
  '/applications': {
    page: lazy(() => import('../pages/applications/applications-page.tsx')),
    signedIn: true,
  },
  '/applications/:id': {
    page: lazy(() => import('../pages/application-detail/application-detail-page.tsx')),
    signedIn: true,
  },
  '/analytics': {
    page: lazy(() => import('../pages/analytics/analytics-page.tsx')),
    signedIn: true,
  },
  '/settings': {
    page: lazy(() => import('../pages/settings/settings-page.tsx')),
    signedIn: true,
  },
} as const;

type Route = (typeof pages)[keyof typeof pages];

/** The route of a path and its `:id`, if the pattern has one (one segment, never empty). */
function match(path: string): { route: Route; id?: string } | undefined {
  const exact = pages[path as keyof typeof pages];
  if (exact) return { route: exact };
  const slash = path.lastIndexOf('/');
  const id = decodeURIComponent(path.slice(slash + 1));
  const pattern = pages[`${path.slice(0, slash)}/:id` as keyof typeof pages];
  return pattern && id ? { route: pattern, id } : undefined;
}

function Header() {
  const session = useSession();
  const queryClient = useQueryClient();
  const logout = useMutation({
    mutationFn: () => call(api.POST('/v1/auth/logout', {})),
    onSettled: () => {
      queryClient.clear();
      setSession({ status: 'signed-out' });
      navigate('/login', { replace: true });
    },
  });
  return (
    <header class="topbar">
      <Link href="/" class="brand">
        Resume automation
      </Link>
      {session.status === 'signed-in' ? (
        <nav aria-label="Main">
          <Link href="/profile">Profile</Link>
          <Link href="/sources">Job sources</Link>
          <Link href="/jobs">Jobs</Link>
          <Link href="/applications">Applications</Link>
          <Link href="/analytics">Analytics</Link>
          <Link href="/settings">Settings</Link>
          <span class="muted">{session.user.email}</span>
          <button type="button" onClick={() => logout.mutate()} disabled={logout.isPending}>
            Log out
          </button>
        </nav>
      ) : (
        <nav aria-label="Main">
          <Link href="/login">Log in</Link>
          <Link href="/signup">Sign up</Link>
        </nav>
      )}
    </header>
  );
}

function NotFound(props: { path: string }) {
  return (
    <main class="page" id="main">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{props.path}</code>. <Link href="/">Go to the start page</Link>.
      </p>
    </main>
  );
}

function CurrentPage() {
  const session = useSession();
  const { path, search } = useLocation();
  const matched = match(path);
  const route = matched?.route;
  const query = search.toString();

  useEffect(() => {
    if (session.status === 'unknown') return;
    const signedIn = session.status === 'signed-in';
    if (path === '/') navigate(signedIn ? '/profile' : '/login', { replace: true });
    else if (route?.signedIn && !signedIn) {
      navigate(`/login?next=${encodeURIComponent(path + (query ? `?${query}` : ''))}`, {
        replace: true,
      });
    }
  }, [session.status, path, route, query]);

  if (session.status === 'unknown') return <Loading label="Checking your session" />;
  if (path === '/') return <Loading label="Opening" />;
  if (!route) return <NotFound path={path} />;
  if (route.signedIn && session.status !== 'signed-in') return <Loading label="Opening" />;
  const Page = route.page;
  return (
    <Suspense fallback={<Loading label="Loading the page" />}>
      <Page id={matched?.id ?? ''} />
    </Suspense>
  );
}

export function App() {
  useEffect(() => {
    // A reload forgets the access token: the HttpOnly refresh cookie brings it back.
    void refreshSession().then((ok) => {
      if (!ok) setSession({ status: 'signed-out' });
    });
  }, []);
  return (
    <ErrorBoundary>
      <Header />
      <ErrorBoundary>
        <CurrentPage />
      </ErrorBoundary>
    </ErrorBoundary>
  );
}
