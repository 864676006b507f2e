/**
 * Importing a JSON Resume: a file picker or a drop on the panel. Broken JSON is
 * caught before upload; the API's problems are shown at their fields, each
 * named from its JSON pointer with the value the file has there.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { fieldLabel, valueAt } from '../../lib/json-pointer.ts';
import { ErrorNotice } from '../../ui/error-notice.tsx';

/** Largest file the panel sends: the router refuses bodies over 1 MiB anyway. */
const MAX_BYTES = 1024 * 1024;

interface Picked {
  name: string;
  text: string;
  document: Record<string, unknown>;
}

function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}…` : json;
}

/** Each problem at its field: the field's name, its pointer and the value the file has there. */
function FieldProblems(props: {
  label: string;
  problems: readonly { pointer: string; message: string }[];
  picked: Picked;
}) {
  if (props.problems.length === 0) return null;
  return (
    <ul class="problems" aria-label={props.label}>
      {props.problems.map((problem) => (
        <li key={`${problem.pointer}:${problem.message}`} class="problem">
          <span class="problem-field">{fieldLabel(problem.pointer)}</span>
          <code class="problem-pointer">{problem.pointer || '/'}</code>
          <span class="problem-value">
            {describeValue(valueAt(props.picked.document, problem.pointer))}
          </span>
          <span class="field-error">{problem.message}</span>
        </li>
      ))}
    </ul>
  );
}

export function ImportPanel(props: { onEdit(document: Record<string, unknown>): void }) {
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [picked, setPicked] = useState<Picked | undefined>();
  const [fileError, setFileError] = useState<string | undefined>();
  const [dragging, setDragging] = useState(false);
  const upload = useMutation({
    mutationFn: (file: Picked) =>
      call(
        api.PUT('/v1/profile', {
          body: file.document,
          // The file's own bytes: the profile is exported exactly as imported.
          bodySerializer: () => file.text,
          headers: { 'content-type': 'application/json' },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['profile'] }),
  });

  async function take(file: File | undefined) {
    upload.reset();
    setPicked(undefined);
    setFileError(undefined);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setFileError(`${file.name} is ${Math.ceil(file.size / 1024)} KB; the limit is 1024 KB.`);
      return;
    }
    const text = await file.text();
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      setFileError(`${file.name} is not valid JSON: ${(error as Error).message}`);
      return;
    }
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      setFileError(`${file.name} is not a JSON Resume: it must be a JSON object.`);
      return;
    }
    const next = { name: file.name, text, document: document as Record<string, unknown> };
    setPicked(next);
    upload.mutate(next);
  }

  const problems = upload.error instanceof ApiProblem ? upload.error.problems : [];
  return (
    <section aria-labelledby="import-heading" class="panel">
      <h2 id="import-heading">Import a JSON Resume</h2>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the drop target; the labelled file input inside is its keyboard and screen-reader path */}
      <div
        class={dragging ? 'dropzone dragging' : 'dropzone'}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          void take(event.dataTransfer?.files[0]);
        }}
      >
        <p>Drop a .json file here, or</p>
        <label class="button" for="resume-file">
          Choose a file
        </label>
        <input
          id="resume-file"
          ref={input}
          class="visually-hidden"
          type="file"
          accept="application/json,.json"
          onChange={(event) => {
            void take(event.currentTarget.files?.[0]);
            event.currentTarget.value = '';
          }}
        />
      </div>
      {fileError && (
        <p class="notice notice-error" role="alert">
          {fileError}
        </p>
      )}
      {upload.isPending && (
        <p role="status" class="loading">
          Importing {picked?.name}…
        </p>
      )}
      {upload.isSuccess && (
        <p role="status" class="notice notice-ok">
          Imported {picked?.name} as version {upload.data.version}.
          {upload.data.warnings.length > 0 && ' Kept as written, with warnings:'}
        </p>
      )}
      {upload.isSuccess && picked && (
        <FieldProblems label="Warnings by field" problems={upload.data.warnings} picked={picked} />
      )}
      {upload.error && (
        <ErrorNotice
          error={upload.error}
          title={`${picked?.name ?? 'The file'} was not imported`}
        />
      )}
      {picked && <FieldProblems label="Problems by field" problems={problems} picked={picked} />}
      {picked && problems.length > 0 && (
        <div class="actions">
          <button type="button" onClick={() => props.onEdit(picked.document)}>
            Fix {picked.name} in the form editor
          </button>
        </div>
      )}
    </section>
  );
}
