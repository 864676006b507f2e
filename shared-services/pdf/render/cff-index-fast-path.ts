/**
 * A fast path for writing CFF INDEXes of raw bytes (subroutines and
 * charstrings) when fontkit subsets a CFF font.
 *
 * fontkit keeps every subroutine slot of a subset (charstrings call them by
 * number), so a Noto CJK subset still writes INDEXes of tens of thousands of
 * entries, and restructure sizes each nested dictionary several times over
 * while it lays out the pointers: each pass walked every entry (three fifths
 * of a Chinese render). This patch sizes an INDEX of raw bytes once per array
 * and writes it as two buffers; the bytes are the same as fontkit's own
 * (tested against it in cff-index-fast-path.test.ts). INDEXes of typed items
 * (strings, dictionaries) keep fontkit's code.
 *
 * fontkit does not export its CFFIndex type, so it is found through the
 * restructure `Pointer` fontkit's CFF pointers extend: the first pointer to
 * an INDEX that is sized reveals the class.
 */
import { Pointer } from 'restructure';

interface EncodeStream {
  writeUInt16BE(value: number): void;
  writeBuffer(buffer: Uint8Array): void;
}

interface CffIndexPrototype {
  getCFFVersion(ctx: unknown): number;
  size(this: { type?: unknown }, items: unknown, parent?: unknown): number;
  encode(this: { type?: unknown }, stream: EncodeStream, items: unknown, parent?: unknown): void;
}

interface Originals {
  size: CffIndexPrototype['size'];
  encode: CffIndexPrototype['encode'];
}

const originals = new Map<CffIndexPrototype, Originals>();

function isRawItems(self: { type?: unknown }, items: unknown): items is Uint8Array[] {
  return self.type == null && Array.isArray(items) && items.length > 0;
}

function allBytes(items: readonly unknown[]): boolean {
  for (const item of items) if (!(item instanceof Uint8Array)) return false;
  return true;
}

/** Offsets are 1-based; their width is the smallest that holds the last one. */
function layout(items: readonly Uint8Array[]): { data: number; offSize: number } {
  let data = 0;
  for (const item of items) data += item.length;
  const last = data + 1;
  const offSize = last <= 0xff ? 1 : last <= 0xffff ? 2 : last <= 0xffffff ? 3 : 4;
  return { data, offSize };
}

function patch(prototype: CffIndexPrototype): void {
  if (originals.has(prototype)) return;
  const original = { size: prototype.size, encode: prototype.encode };
  originals.set(prototype, original);
  // Sized once per array: subset arrays are built once and never changed afterwards.
  const sizes = new WeakMap<object, { length: number; size: number }>();
  prototype.size = function size(items, parent) {
    if (!isRawItems(this, items)) return original.size.call(this, items, parent);
    const known = sizes.get(items);
    if (known && known.length === items.length) return known.size;
    if (!allBytes(items)) return original.size.call(this, items, parent);
    const { data, offSize } = layout(items);
    const total = 2 + 1 + offSize * (items.length + 1) + data;
    sizes.set(items, { length: items.length, size: total });
    return total;
  };
  prototype.encode = function encode(stream, items, parent) {
    if (!isRawItems(this, items) || !allBytes(items)) {
      original.encode.call(this, stream, items, parent);
      return;
    }
    const { data, offSize } = layout(items);
    stream.writeUInt16BE(items.length);
    const head = Buffer.allocUnsafe(1 + offSize * (items.length + 1));
    head[0] = offSize;
    let offset = 1;
    head.writeUIntBE(offset, 1, offSize);
    for (let i = 0; i < items.length; i++) {
      offset += (items[i] as Uint8Array).length;
      head.writeUIntBE(offset, 1 + offSize * (i + 1), offSize);
    }
    stream.writeBuffer(head);
    stream.writeBuffer(Buffer.concat(items, data));
  };
}

let installed = false;

/** Installs the fast path the next time fontkit sizes a pointer to a CFF INDEX. Idempotent. */
export function installCffIndexFastPath(): void {
  if (installed) return;
  installed = true;
  const pointer = Pointer.prototype as unknown as {
    size(this: { type?: unknown }, value: unknown, ctx: unknown): number;
  };
  const originalSize = pointer.size;
  pointer.size = function size(value, ctx) {
    const type = this.type as { getCFFVersion?: unknown } | null | undefined;
    if (type && typeof type.getCFFVersion === 'function') {
      patch(Object.getPrototypeOf(type) as CffIndexPrototype);
      pointer.size = originalSize;
    }
    return originalSize.call(this, value, ctx);
  };
}

/** For the test: runs `fn` with fontkit's own INDEX code, then puts the fast path back. */
export async function withFontkitIndexCode<T>(fn: () => T | Promise<T>): Promise<T> {
  const patched = [...originals].map(([prototype, original]) => ({
    prototype,
    original,
    fast: { size: prototype.size, encode: prototype.encode },
  }));
  for (const { prototype, original } of patched) Object.assign(prototype, original);
  try {
    return await fn();
  } finally {
    for (const { prototype, fast } of patched) Object.assign(prototype, fast);
  }
}

/** Whether the fast path has found fontkit's INDEX class yet. */
export function cffIndexFastPathActive(): boolean {
  return originals.size > 0;
}
