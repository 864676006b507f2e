/** Adding a job by hand: pasted from anywhere, then analyzed and scored like a board's. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import type { paths } from '../../api/schema.gen.ts';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { problemAt } from '../../ui/text-field.tsx';

type ManualJob = paths['/v1/jobs']['post']['requestBody']['content']['application/json'];

function bodyOf(form: FormData): ManualJob {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  return {
    title: text('title'),
    company: text('company'),
    description: text('description'),
    url: text('url') || undefined,
    location: text('location') || undefined,
  };
}

function Field(props: {
  id: string;
  label: string;
  name: keyof ManualJob;
  problems: readonly { pointer: string; message: string }[];
  required?: boolean;
  multiline?: boolean;
  type?: 'text' | 'url';
}) {
  const error = problemAt(props.problems, `/${props.name}`);
  const common = {
    id: props.id,
    name: props.name,
    required: props.required,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': error ? `${props.id}-error` : undefined,
  };
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.multiline ? (
        <textarea rows={6} {...common} />
      ) : (
        // Preact's input types are a union keyed by `type`; both share these attributes.
        <input type={(props.type ?? 'text') as 'text'} {...common} />
      )}
      {error && (
        <p class="field-error" id={`${props.id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

export function ManualJobForm() {
  const queryClient = useQueryClient();
  const add = useMutation({
    mutationFn: (body: ManualJob) => call(api.POST('/v1/jobs', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }),
  });
  const problems = add.error instanceof ApiProblem ? add.error.problems : [];
  return (
    <details class="panel">
      <summary>Add a job by hand</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const form = event.currentTarget;
          add.mutate(bodyOf(new FormData(form)), { onSuccess: () => form.reset() });
        }}
      >
        <Field id="manual-title" label="Title" name="title" required problems={problems} />
        <Field id="manual-company" label="Company" name="company" required problems={problems} />
        <Field id="manual-location" label="Location" name="location" problems={problems} />
        <Field
          id="manual-url"
          label="Link to the posting"
          name="url"
          type="url"
          problems={problems}
        />
        <Field
          id="manual-description"
          label="Description"
          name="description"
          required
          multiline
          problems={problems}
        />
        <button type="submit" disabled={add.isPending}>
          Add job
        </button>
      </form>
      {add.isSuccess && (
        <p class="notice notice-ok" role="status">
          Added {add.data.title} at {add.data.company}. Its match score follows once it is analyzed.
        </p>
      )}
      {add.error && <ErrorNotice error={add.error} title="Could not add the job" />}
    </details>
  );
}
