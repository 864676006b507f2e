/** The stored versions, newest first; each can be compared with the one before it as a line diff. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';
import { versionDiff } from './version-diff.ts';

/** A stored version's exact text (parsed as text, so the typed JSON body does not apply). */
async function versionText(version: number): Promise<string> {
  const text: unknown = await call(
    api.GET('/v1/profile/versions/{version}', {
      params: { path: { version: String(version) } },
      parseAs: 'text',
    }),
  );
  return String(text);
}

function VersionDiff(props: { older: number; newer: number }) {
  const diff = useQuery({
    queryKey: ['profile', 'diff', props.older, props.newer],
    queryFn: async () => {
      const [older, newer] = await Promise.all([
        versionText(props.older),
        versionText(props.newer),
      ]);
      return versionDiff(older, newer);
    },
    staleTime: Number.POSITIVE_INFINITY, // stored versions never change
  });
  if (diff.isPending) return <Loading label="Comparing versions" />;
  if (diff.error) return <ErrorNotice error={diff.error} title="Could not compare the versions" />;
  const changed = diff.data.filter((line) => line.kind !== 'same').length;
  return (
    <figure>
      <figcaption>
        Version {props.older} → {props.newer}:{' '}
        {changed === 0 ? 'the same content' : `${changed} changed lines`}
      </figcaption>
      <pre class="diff">
        {diff.data.map((line, index) => {
          // A diff's lines have no ids: their place is their identity.
          const key = `${index}`;
          if (line.kind === 'added')
            return (
              <ins key={key}>
                <span class="visually-hidden">added: </span>+ {line.text}
              </ins>
            );
          if (line.kind === 'removed')
            return (
              <del key={key}>
                <span class="visually-hidden">removed: </span>− {line.text}
              </del>
            );
          return <span key={key}>{`  ${line.text}`}</span>;
        })}
      </pre>
    </figure>
  );
}

export function VersionHistory() {
  const versions = useQuery({
    queryKey: ['profile', 'versions'],
    queryFn: () => call(api.GET('/v1/profile/versions')),
  });
  const [compared, setCompared] = useState<number | undefined>();
  return (
    <section class="panel" aria-labelledby="versions-heading">
      <h3 id="versions-heading">Versions</h3>
      {versions.isPending && <Loading label="Loading versions" />}
      {versions.error && <ErrorNotice error={versions.error} title="Could not load versions" />}
      {versions.data && (
        <ol class="versions">
          {versions.data.versions.map((v, index, all) => {
            const previous = all[index + 1]?.version;
            return (
              <li key={v.version}>
                Version {v.version} · {new Date(v.createdAt).toLocaleString()} · {v.bytes} bytes{' '}
                {previous !== undefined && (
                  <button
                    type="button"
                    class="secondary"
                    aria-expanded={compared === v.version}
                    onClick={() => setCompared(compared === v.version ? undefined : v.version)}
                  >
                    {compared === v.version ? 'Hide changes' : `Compare with version ${previous}`}
                  </button>
                )}
                {compared === v.version && previous !== undefined && (
                  <VersionDiff older={previous} newer={v.version} />
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
