/**
 * A small history-API router: the current path as state, `navigate()` to move,
 * and `<Link>` for in-app anchors that stay real links (middle-click, keyboard).
 */
import type { ComponentChildren } from 'preact';
import { useSyncExternalStore } from 'preact/compat';

const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};
globalThis.addEventListener?.('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const currentLocation = () => `${location.pathname}${location.search}`;

export function useLocation(): { path: string; search: URLSearchParams } {
  const href = useSyncExternalStore(subscribe, currentLocation);
  const url = new URL(href, location.origin);
  return { path: url.pathname, search: url.searchParams };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

export function Link(props: { href: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={props.href}
      class={props.class}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
