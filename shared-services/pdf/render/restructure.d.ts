/** The one part of restructure 3 (fontkit's binary encoder) this service reaches into (the package ships no types). */
declare module 'restructure' {
  export class Pointer {
    type: unknown;
    size(value: unknown, ctx: unknown): number;
  }
}
