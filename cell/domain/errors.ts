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
