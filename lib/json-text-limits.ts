/**
 * Limits and text hygiene for a JSON document people typed (a resume): depth,
 * string and property-name length, lone surrogates and control characters.
 * Walked with an explicit stack, so no input can overflow the call stack or
 * take long. The cell's profile import and the PDF service both refuse what
 * this finds, each problem named by its JSON pointer.
 */
import type { ValidationProblem } from './validation.ts';

export interface JsonTextLimits {
  /** Containers (objects and arrays) nested inside one another, the document itself included. */
  maxDepth: number;
  /** Characters (code points) in one string value. */
  maxStringLength: number;
  /** Characters in one property name. */
  maxKeyLength: number;
}

/** A long resume summary is about 3,000 characters. */
export const RESUME_TEXT_LIMITS: JsonTextLimits = {
  maxDepth: 20,
  maxStringLength: 10_000,
  maxKeyLength: 200,
};

export function pointerSegment(segment: string | number): string {
  return `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function codePoint(value: number): string {
  return `U+${value.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** C0 controls other than tab, line feed and carriage return; DEL; C1 controls. */
function isForbiddenControl(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
    (code >= 0x7f && code <= 0x9f)
  );
}

/** The first reason `text` cannot be taken as typed text, or undefined. */
export function textProblem(text: string, maxLength: number): string | undefined {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff))
        return `contains a lone surrogate ${codePoint(code)}`;
      i++;
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      return `contains a lone surrogate ${codePoint(code)}`;
    } else if (isForbiddenControl(code)) {
      return `contains the control character ${codePoint(code)}`;
    }
    if (++length > maxLength) return `is longer than ${maxLength} characters`;
  }
  return undefined;
}

export interface JsonTextVisitor {
  problem(pointer: string, message: string): void;
  /** Called for every string that passed, and for `null`. */
  value?(pointer: string, value: string | null): void;
}

/** Walks `document` (pointers prefixed by `base`), reporting every breach in document order. */
export function checkJsonText(
  document: unknown,
  limits: JsonTextLimits,
  visitor: JsonTextVisitor,
  base = '',
): void {
  const stack: { value: unknown; pointer: string; depth: number }[] = [
    { value: document, pointer: base, depth: 1 },
  ];
  while (stack.length > 0) {
    const { value, pointer, depth } = stack.pop() as (typeof stack)[number];
    if (typeof value === 'string') {
      const problem = textProblem(value, limits.maxStringLength);
      if (problem) visitor.problem(pointer, problem);
      else visitor.value?.(pointer, value);
      continue;
    }
    if (value === null) {
      visitor.value?.(pointer, null);
      continue;
    }
    if (typeof value !== 'object') continue;
    if (depth > limits.maxDepth) {
      // Nothing below is looked at: the document is refused anyway.
      visitor.problem(pointer, `is nested deeper than ${limits.maxDepth} levels`);
      continue;
    }
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [index, item])
      : Object.entries(value);
    const children: typeof stack = [];
    for (const [key, item] of entries) {
      const itemPointer = pointer + pointerSegment(key);
      const keyProblem =
        typeof key === 'string' ? textProblem(key, limits.maxKeyLength) : undefined;
      if (keyProblem) visitor.problem(itemPointer, `property name ${keyProblem}`);
      else children.push({ value: item, pointer: itemPointer, depth: depth + 1 });
    }
    // Reversed onto the stack so that findings come out in document order.
    for (let i = children.length - 1; i >= 0; i--)
      stack.push(children[i] as (typeof stack)[number]);
  }
}

/** The problems `checkJsonText` finds, as a list. */
export function jsonTextProblems(
  document: unknown,
  limits: JsonTextLimits,
  base = '',
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  checkJsonText(
    document,
    limits,
    { problem: (pointer, message) => problems.push({ pointer, message }) },
    base,
  );
  return problems;
}
