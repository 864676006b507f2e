/**
 * Edit and approve: the tailored resume's prose (the summary, each role's
 * summary and highlights, each project's description and highlights) as text
 * boxes. Approving sends the edited variant; the cell's verifier checks it
 * against the profile, and a refusal (`422 verification_failed`) is shown at
 * the offending text, with the rule and the words, so it can be fixed there.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'preact/hooks';
import { api, call } from '../../api/client.ts';
import { ApiProblem } from '../../api/problem.ts';
import { type Draft, type Json, pointerOf, textAt, withValueAt } from '../../lib/draft.ts';
import { fieldLabel } from '../../lib/json-pointer.ts';
import { ErrorNotice } from '../../ui/error-notice.tsx';

/** The pointers of the variant's prose, in reading order. */
export function prosePointers(resume: Draft): string[] {
  const pointers: string[] = [];
  if (typeof (resume.basics as Draft | undefined)?.summary === 'string') {
    pointers.push(pointerOf('basics', 'summary'));
  }
  for (const section of ['work', 'projects'] as const) {
    const entries = Array.isArray(resume[section]) ? (resume[section] as Json[]) : [];
    entries.forEach((entry, index) => {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return;
      for (const field of ['summary', 'description'] as const) {
        if (typeof entry[field] === 'string') pointers.push(pointerOf(section, index, field));
      }
      const highlights = Array.isArray(entry.highlights) ? entry.highlights : [];
      highlights.forEach((highlight, h) => {
        if (typeof highlight === 'string')
          pointers.push(pointerOf(section, index, 'highlights', h));
      });
    });
  }
  return pointers;
}

function ProseField(props: {
  pointer: string;
  value: string;
  problem?: string;
  onInput(value: string): void;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{fieldLabel(props.pointer)}</label>
      <textarea
        id={id}
        rows={2}
        value={props.value}
        aria-invalid={props.problem ? 'true' : undefined}
        aria-describedby={props.problem ? `${id}-error` : undefined}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      {props.problem && (
        <p class="field-error" id={`${id}-error`}>
          {props.problem}
        </p>
      )}
    </div>
  );
}

export function VariantEditor(props: { id: string; resume: Draft; onClose(): void }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(props.resume);
  const approve = useMutation({
    mutationFn: (variant: Draft) =>
      call(
        api.POST('/v1/applications/{id}/approve', {
          params: { path: { id: props.id } },
          body: { variant },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['application'] });
      void queryClient.invalidateQueries({ queryKey: ['applications'] });
      props.onClose();
    },
  });
  const problems = approve.error instanceof ApiProblem ? approve.error.problems : [];
  const pointers = prosePointers(props.resume);
  return (
    <form
      class="panel"
      aria-label="Edit the tailored resume"
      onSubmit={(event) => {
        event.preventDefault();
        approve.mutate(draft);
      }}
    >
      <p>
        Change the wording, then approve. Every sentence is checked against your profile: a new
        number, name, skill or stronger claim is refused here, at its text.
      </p>
      {pointers.map((pointer) => (
        <ProseField
          key={pointer}
          pointer={pointer}
          value={textAt(draft, pointer)}
          problem={problems
            .filter((p) => p.pointer === pointer)
            .map((p) => p.message)
            .join('; ')}
          onInput={(value) => setDraft((d) => withValueAt(d, pointer, value))}
        />
      ))}
      {approve.error && <ErrorNotice error={approve.error} title="Not approved" />}
      <div class="form-actions">
        <button type="submit" disabled={approve.isPending}>
          Approve with my edits
        </button>
        <button type="button" class="secondary" onClick={props.onClose}>
          Cancel editing
        </button>
      </div>
    </form>
  );
}
