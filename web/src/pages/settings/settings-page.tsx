/**
 * `/settings`: submission channels and their credentials (write-only: stored
 * secrets are never shown back, only which exist and when they were set), the
 * status webhook, the data export, and account deletion with the password.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import { navigate } from '../../app/navigation.tsx';
import { setSession } from '../../session/session.ts';
import { ErrorNotice, Loading } from '../../ui/error-notice.tsx';

/** Channels whose credentials are an employer's API key, per board (scope) or for all. */
const KEY_CHANNELS = new Set(['greenhouse', 'lever', 'ashby']);

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

function CredentialsForm(props: { channel: string }) {
  const queryClient = useQueryClient();
  const webhook = props.channel === 'webhook';
  const save = useMutation({
    mutationFn: (form: FormData) => {
      const scope = String(form.get('scope') ?? '').trim();
      const body = webhook
        ? { url: String(form.get('url') ?? ''), secret: String(form.get('secret') ?? '') }
        : { apiKey: String(form.get('apiKey') ?? '') };
      return call(
        api.PUT('/v1/channels/{channel}/credentials', {
          params: { path: { channel: props.channel }, query: scope ? { scope } : {} },
          body,
        }),
      );
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['channels'] }),
  });
  const id = `credentials-${props.channel}`;
  return (
    <form
      class="grid-form"
      aria-label={`Store ${props.channel} credentials`}
      onSubmit={(event) => {
        event.preventDefault();
        const form = event.currentTarget;
        save.mutate(new FormData(form), { onSuccess: () => form.reset() });
      }}
    >
      {webhook ? (
        <>
          <div class="field">
            <label for={`${id}-url`}>Webhook URL</label>
            <input id={`${id}-url`} name="url" type="text" required autoComplete="off" />
          </div>
          <div class="field">
            <label for={`${id}-secret`}>Signing secret</label>
            <input id={`${id}-secret`} name="secret" type="password" required autoComplete="off" />
          </div>
        </>
      ) : (
        <>
          <div class="field">
            <label for={`${id}-key`}>{props.channel} API key</label>
            <input id={`${id}-key`} name="apiKey" type="password" required autoComplete="off" />
          </div>
          <div class="field">
            <label for={`${id}-scope`}>Board token (empty: every board)</label>
            <input id={`${id}-scope`} name="scope" type="text" autoComplete="off" />
          </div>
        </>
      )}
      <div class="form-actions">
        <button type="submit" disabled={save.isPending}>
          Store {props.channel} credentials
        </button>
      </div>
      {save.isSuccess && (
        <p role="status" class="notice notice-ok">
          Stored, sealed. It is never shown again.
        </p>
      )}
      {save.error && <ErrorNotice error={save.error} title="Not stored" />}
    </form>
  );
}

function ChannelsSection() {
  const queryClient = useQueryClient();
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: () => call(api.GET('/v1/channels')),
  });
  const remove = useMutation({
    mutationFn: (target: { channel: string; scope: string }) =>
      call(
        api.DELETE('/v1/channels/{channel}/credentials', {
          params: {
            path: { channel: target.channel },
            query: target.scope ? { scope: target.scope } : {},
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['channels'] }),
  });
  return (
    <section class="panel" aria-labelledby="channels-heading">
      <h2 id="channels-heading">Submission channels</h2>
      {channels.isPending && <Loading label="Loading the channels" />}
      {channels.error && <ErrorNotice error={channels.error} title="Could not load the channels" />}
      {remove.error && (
        <ErrorNotice error={remove.error} title="Could not remove the credentials" />
      )}
      {channels.data?.channels
        .filter((channel) => channel.requiresCredentials)
        .map((channel) => (
          <section key={channel.name} aria-label={`Channel ${channel.name}`} class="channel">
            <h3>{channel.name}</h3>
            {channel.credentials.length === 0 ? (
              <p class="muted">No credentials stored.</p>
            ) : (
              <ul class="entries">
                {channel.credentials.map((stored) => (
                  <li key={stored.scope}>
                    {stored.scope ? `Board ${stored.scope}` : 'Every board'}: stored{' '}
                    {new Date(stored.updatedAt).toLocaleString()}{' '}
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Remove ${channel.name} credentials${stored.scope ? ` for ${stored.scope}` : ''}`}
                      onClick={() => remove.mutate({ channel: channel.name, scope: stored.scope })}
                    >
                      Remove
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {(KEY_CHANNELS.has(channel.name) || channel.name === 'webhook') && (
              <CredentialsForm channel={channel.name} />
            )}
          </section>
        ))}
      {channels.data && (
        <p class="muted">
          Needing nothing:{' '}
          {channels.data.channels
            .filter((channel) => !channel.requiresCredentials)
            .map((channel) => channel.name)
            .join(', ')}
          .
        </p>
      )}
    </section>
  );
}

function WebhookSection() {
  const queryClient = useQueryClient();
  const webhook = useQuery({
    queryKey: ['webhook'],
    queryFn: () => call(api.GET('/v1/notifications/webhook')),
  });
  const save = useMutation({
    mutationFn: (body: { url: string; secret: string }) =>
      call(api.PUT('/v1/notifications/webhook', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhook'] }),
  });
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/v1/notifications/webhook')),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhook'] }),
  });
  const current = webhook.data?.webhook;
  return (
    <section class="panel" aria-labelledby="webhook-heading">
      <h2 id="webhook-heading">Status webhook</h2>
      <p class="muted">
        Each application's status changes are posted here, signed with the secret.
      </p>
      {webhook.isPending && <Loading label="Loading the webhook" />}
      {webhook.error && <ErrorNotice error={webhook.error} title="Could not load the webhook" />}
      {webhook.data && (
        <p role="status">
          {current
            ? `Posting to ${current.url} (set ${new Date(current.updatedAt).toLocaleString()}).`
            : 'No webhook set.'}
        </p>
      )}
      {current && (
        <button type="button" class="secondary" onClick={() => remove.mutate()}>
          Remove the webhook
        </button>
      )}
      <form
        class="grid-form"
        aria-label="Set the status webhook"
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const data = new FormData(form);
          save.mutate(
            { url: String(data.get('url') ?? ''), secret: String(data.get('secret') ?? '') },
            { onSuccess: () => form.reset() },
          );
        }}
      >
        <div class="field">
          <label for="webhook-url">Status webhook URL</label>
          <input id="webhook-url" name="url" type="text" required autoComplete="off" />
        </div>
        <div class="field">
          <label for="webhook-secret">Status webhook secret</label>
          <input id="webhook-secret" name="secret" type="password" required autoComplete="off" />
        </div>
        <div class="form-actions">
          <button type="submit" disabled={save.isPending}>
            Set the webhook
          </button>
        </div>
      </form>
      {save.error && <ErrorNotice error={save.error} title="The webhook was not set" />}
      {remove.error && <ErrorNotice error={remove.error} title="The webhook was not removed" />}
    </section>
  );
}

function ExportSection() {
  const exported = useMutation({
    mutationFn: () => call(api.GET('/v1/export', { parseAs: 'text' })),
    onSuccess: (text) => download('my-data.json', String(text)),
  });
  return (
    <section class="panel" aria-labelledby="export-heading">
      <h2 id="export-heading">Your data</h2>
      <p>
        Everything you own in one JSON document: profile versions, jobs, applications with their
        PDFs, events and settings (never stored secrets).
      </p>
      <button type="button" disabled={exported.isPending} onClick={() => exported.mutate()}>
        {exported.isPending ? 'Preparing…' : 'Download all my data'}
      </button>
      {exported.isSuccess && (
        <p role="status" class="notice notice-ok">
          Downloaded my-data.json.
        </p>
      )}
      {exported.error && <ErrorNotice error={exported.error} title="Could not export" />}
    </section>
  );
}

function DeleteAccountSection() {
  const [sure, setSure] = useState(false);
  const remove = useMutation({
    mutationFn: (password: string) => call(api.DELETE('/v1/account', { body: { password } })),
    onSuccess: () => {
      setSession({ status: 'signed-out' });
      navigate('/login', { replace: true });
    },
  });
  return (
    <section class="panel danger" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete your account</h2>
      <p>This removes your account and every row of your data. It cannot be undone.</p>
      <form
        class="grid-form"
        aria-label="Delete your account"
        onSubmit={(event) => {
          event.preventDefault();
          remove.mutate(String(new FormData(event.currentTarget).get('password') ?? ''));
        }}
      >
        <div class="field">
          <label for="delete-password">Your password</label>
          <input
            id="delete-password"
            name="password"
            type="password"
            required
            autoComplete="current-password"
          />
        </div>
        <div class="field checkbox">
          <label>
            <input
              type="checkbox"
              checked={sure}
              onChange={(e) => setSure(e.currentTarget.checked)}
            />{' '}
            I understand everything will be deleted
          </label>
        </div>
        <div class="form-actions">
          <button type="submit" disabled={!sure || remove.isPending}>
            Delete my account
          </button>
        </div>
      </form>
      {remove.error && <ErrorNotice error={remove.error} title="The account was not deleted" />}
    </section>
  );
}

export default function SettingsPage() {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <main class="page" id="main">
      <h1 tabIndex={-1} ref={heading}>
        Settings
      </h1>
      <ChannelsSection />
      <WebhookSection />
      <ExportSection />
      <DeleteAccountSection />
    </main>
  );
}
