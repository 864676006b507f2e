/** A labelled input whose error, if any, is announced and tied to it (aria-describedby). */
import { useId } from 'preact/hooks';

export function TextField(props: {
  label: string;
  name: string;
  type?: 'text' | 'email' | 'password';
  autoComplete?: string;
  required?: boolean;
  minLength?: number;
  error?: string;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        // Preact's input types are a union keyed by `type`; all three share these attributes.
        type={(props.type ?? 'text') as 'text'}
        autoComplete={props.autoComplete}
        required={props.required}
        minLength={props.minLength}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? errorId : undefined}
      />
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** The message of the first problem at `pointer`, from an API validation_failed answer. */
export function problemAt(
  problems: readonly { pointer: string; message: string }[],
  pointer: string,
): string | undefined {
  return problems.find((p) => p.pointer === pointer)?.message;
}
