/** k6 provides `console` in every script; @types/k6 leaves it to the DOM lib, which k6 lacks. */
declare const console: {
  log(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
};
