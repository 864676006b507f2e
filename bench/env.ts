/** Benchmark settings from the environment: a number, or a clear error naming the variable. */
export function envNumber(
  name: string,
  fallback: number,
  options: { min?: number; integer?: boolean } = {},
): number {
  const { min = 0, integer = false } = options;
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}`);
  }
  return value;
}
