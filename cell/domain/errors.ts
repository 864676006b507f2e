/** Domain errors of the cell: they know nothing about HTTP; the API maps them. */
export class DomainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {}
export class ConflictError extends DomainError {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}
export class InvalidStateError extends DomainError {}

/** Input that breaks a domain rule; `problems` name each by JSON pointer. */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly problems: { pointer: string; message: string }[],
  ) {
    super(message);
  }
}
