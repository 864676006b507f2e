/**
 * The form editor: every JSON Resume section as fields, with a live PDF
 * preview in the chosen template beside it. The preview renders the draft
 * through `POST /v1/profile/preview.pdf` (nothing is stored) a moment after
 * the last keystroke; Save stores the draft as the next version. Problems from
 * either are shown at their fields, by JSON pointer.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import { ApiProblem, type FieldProblem } from '../../api/problem.ts';
import {
  addEntry,
  type Draft,
  entriesOf,
  fromLines,
  linesAt,
  moveEntry,
  pointerOf,
  removeEntry,
  textAt,
  withValueAt,
} from '../../lib/draft.ts';
import { fieldLabel } from '../../lib/json-pointer.ts';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { BASICS, type FieldSpec, LOCATION, SECTIONS, type SectionSpec } from './form-fields.ts';
import './profile-editor.css';

const TEMPLATES = ['modern', 'classic', 'compact'] as const;
type Template = (typeof TEMPLATES)[number];
/** How long the draft must rest before it is rendered again. */
const PREVIEW_DELAY_MS = 700;

interface Editing {
  draft: Draft;
  set(pointer: string, value: string | string[]): void;
  problems: readonly FieldProblem[];
}

function Field(props: { spec: FieldSpec; pointer: string; editing: Editing }) {
  const id = useId();
  const { spec, pointer, editing } = props;
  const error = editing.problems.find((p) => p.pointer === pointer)?.message;
  const shared = {
    id,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error ? `${id}-error` : undefined,
  };
  return (
    <div class="field">
      <label for={id}>{spec.label}</label>
      {spec.kind === 'lines' ? (
        <textarea
          {...shared}
          rows={3}
          value={linesAt(editing.draft, pointer)}
          onChange={(event) => editing.set(pointer, fromLines(event.currentTarget.value))}
        />
      ) : spec.kind === 'textarea' ? (
        <textarea
          {...shared}
          rows={3}
          value={textAt(editing.draft, pointer)}
          onInput={(event) => editing.set(pointer, event.currentTarget.value)}
        />
      ) : (
        <input
          {...shared}
          type="text"
          value={textAt(editing.draft, pointer)}
          onInput={(event) => editing.set(pointer, event.currentTarget.value)}
        />
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function entryName(spec: SectionSpec, entry: Draft, index: number): string {
  const named = spec.heading
    .map((key) => entry[key])
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    .join(' · ');
  return `${spec.title} #${index + 1}${named ? `: ${named}` : ''}`;
}

function Section(props: {
  spec: SectionSpec;
  editing: Editing;
  change(next: (draft: Draft) => Draft): void;
}) {
  const { spec, editing, change } = props;
  const entries = entriesOf(editing.draft, spec.key);
  return (
    <fieldset class="editor-section">
      <legend>{spec.title}</legend>
      {entries.map((entry, index) => {
        const name = entryName(spec, entry, index);
        return (
          <fieldset class="editor-entry" key={index}>
            <legend>{name}</legend>
            {spec.fields.map((field) => (
              <Field
                key={field.key}
                spec={field}
                pointer={pointerOf(spec.key, index, field.key)}
                editing={editing}
              />
            ))}
            <div class="entry-actions">
              <button
                type="button"
                class="secondary"
                aria-label={`Move up: ${name}`}
                disabled={index === 0}
                onClick={() => change((d) => moveEntry(d, spec.key, index, -1))}
              >
                Move up
              </button>
              <button
                type="button"
                class="secondary"
                aria-label={`Move down: ${name}`}
                disabled={index === entries.length - 1}
                onClick={() => change((d) => moveEntry(d, spec.key, index, 1))}
              >
                Move down
              </button>
              <button
                type="button"
                class="secondary"
                aria-label={`Remove ${name}`}
                onClick={() => change((d) => removeEntry(d, spec.key, index))}
              >
                Remove
              </button>
            </div>
          </fieldset>
        );
      })}
      <button type="button" class="secondary" onClick={() => change((d) => addEntry(d, spec.key))}>
        Add to {spec.title}
      </button>
    </fieldset>
  );
}

const PROFILE_FIELDS: FieldSpec[] = [
  { key: 'network', label: 'Network' },
  { key: 'username', label: 'Username' },
  { key: 'url', label: 'Profile URL' },
];

function Basics(props: { editing: Editing; change(next: (draft: Draft) => Draft): void }) {
  const { editing, change } = props;
  const basics = (editing.draft.basics ?? {}) as Draft;
  const profiles = entriesOf(basics, 'profiles');
  return (
    <fieldset class="editor-section">
      <legend>Basics</legend>
      {BASICS.map((field) => (
        <Field
          key={field.key}
          spec={field}
          pointer={pointerOf('basics', field.key)}
          editing={editing}
        />
      ))}
      {LOCATION.map((field) => (
        <Field
          key={field.key}
          spec={field}
          pointer={pointerOf('basics', 'location', field.key)}
          editing={editing}
        />
      ))}
      {profiles.map((profile, index) => {
        const name = `Online profile #${index + 1}${typeof profile.network === 'string' ? `: ${profile.network}` : ''}`;
        return (
          <fieldset class="editor-entry" key={index}>
            <legend>{name}</legend>
            {PROFILE_FIELDS.map((field) => (
              <Field
                key={field.key}
                spec={field}
                pointer={pointerOf('basics', 'profiles', index, field.key)}
                editing={editing}
              />
            ))}
            <button
              type="button"
              class="secondary"
              aria-label={`Remove ${name}`}
              onClick={() =>
                change((d) => ({
                  ...d,
                  basics: removeEntry((d.basics ?? {}) as Draft, 'profiles', index),
                }))
              }
            >
              Remove
            </button>
          </fieldset>
        );
      })}
      <button
        type="button"
        class="secondary"
        onClick={() =>
          change((d) => ({ ...d, basics: addEntry((d.basics ?? {}) as Draft, 'profiles') }))
        }
      >
        Add an online profile
      </button>
    </fieldset>
  );
}

/** Renders the draft a moment after it last changed; the newest render wins. */
function usePreview(draft: Draft, template: Template) {
  const [url, setUrl] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [rendering, setRendering] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      setRendering(true);
      try {
        const blob = await call(
          api.POST('/v1/profile/preview.pdf', {
            params: { query: { template } },
            body: draft as never,
            parseAs: 'blob',
            signal: controller.signal,
          }),
        );
        const next = URL.createObjectURL(blob as Blob);
        setUrl((previous) => {
          if (previous) URL.revokeObjectURL(previous);
          return next;
        });
        setError(undefined);
      } catch (caught) {
        if (!controller.signal.aborted) setError(caught);
      } finally {
        if (!controller.signal.aborted) setRendering(false);
      }
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [draft, template]);
  // The last preview's object URL is released when the editor closes.
  const current = useRef<string | undefined>(undefined);
  current.current = url;
  useEffect(
    () => () => {
      if (current.current) URL.revokeObjectURL(current.current);
    },
    [],
  );
  return { url, error, rendering };
}

export function ProfileEditor(props: { initial: Draft; onClose(): void }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(props.initial);
  const [template, setTemplate] = useState<Template>('modern');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const preview = usePreview(draft, template);
  const save = useMutation({
    mutationFn: (document: Draft) =>
      call(
        api.PUT('/v1/profile', {
          body: document as never,
          bodySerializer: () => `${JSON.stringify(document, null, 2)}\n`,
          headers: { 'content-type': 'application/json' },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['profile'] }),
  });
  const problems = [
    ...(save.error instanceof ApiProblem ? save.error.problems : []),
    ...(preview.error instanceof ApiProblem ? preview.error.problems : []),
  ];
  const editing: Editing = {
    draft,
    problems,
    set: (pointer, value) => setDraft((d) => withValueAt(d, pointer, value)),
  };
  const change = (next: (d: Draft) => Draft) => setDraft(next);
  return (
    <section class="panel editor" aria-labelledby="editor-heading">
      <h2 id="editor-heading" tabIndex={-1} ref={heading}>
        Edit your profile
      </h2>
      <div class="editor-layout">
        <form
          class="editor-form"
          aria-label="Profile editor"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate(draft);
          }}
        >
          <Basics editing={editing} change={change} />
          {SECTIONS.map((spec) => (
            <Section key={spec.key} spec={spec} editing={editing} change={change} />
          ))}
          {/* Every problem is also listed, so one at a field the form has no input for is not hidden. */}
          {problems.length > 0 && (
            <ul class="problems" aria-label="Problems by field">
              {problems.map((problem) => (
                <li key={`${problem.pointer}:${problem.message}`} class="problem">
                  <span class="problem-field">{fieldLabel(problem.pointer)}</span>
                  <code class="problem-pointer">{problem.pointer || '/'}</code>
                  <span class="field-error">{problem.message}</span>
                </li>
              ))}
            </ul>
          )}
          <div class="form-actions editor-actions">
            <button type="submit" disabled={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save as a new version'}
            </button>
            <button type="button" class="secondary" onClick={props.onClose}>
              Close the editor
            </button>
          </div>
          {save.isSuccess && (
            <p role="status" class="notice notice-ok">
              Saved as version {save.data.version}.
              {save.data.warnings.length > 0 && ' Kept as written, with warnings:'}
            </p>
          )}
          {save.isSuccess && save.data.warnings.length > 0 && (
            <ul class="problems" aria-label="Warnings by field">
              {save.data.warnings.map((warning) => (
                <li key={`${warning.pointer}:${warning.message}`} class="problem">
                  <span class="problem-field">{fieldLabel(warning.pointer)}</span>
                  <code class="problem-pointer">{warning.pointer}</code>
                  <span>{warning.message}</span>
                </li>
              ))}
            </ul>
          )}
          {save.error && <ErrorNotice error={save.error} title="Not saved" />}
        </form>
        <aside class="editor-preview" aria-label="PDF preview">
          <div class="field">
            <label for="preview-template">Template</label>
            <select
              id="preview-template"
              value={template}
              onChange={(event) => setTemplate(event.currentTarget.value as Template)}
            >
              {TEMPLATES.map((t) => (
                <option key={t} value={t}>
                  {t[0]?.toUpperCase()}
                  {t.slice(1)}
                </option>
              ))}
            </select>
          </div>
          <p role="status" class="muted preview-status">
            {preview.rendering ? 'Rendering the preview…' : preview.url ? 'Preview up to date' : ''}
          </p>
          {preview.error ? (
            <ErrorNotice error={preview.error} title="Could not render the preview" />
          ) : null}
          {preview.url && (
            <iframe
              class="preview-frame"
              title={`PDF preview, ${template} template`}
              src={`${preview.url}#navpanes=0&view=FitH`}
            />
          )}
        </aside>
      </div>
    </section>
  );
}
