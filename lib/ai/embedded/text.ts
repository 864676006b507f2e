/**
 * Text handling for the embedded analyzer: tolerant HTML-to-text (including the
 * entity-escaped HTML that Greenhouse returns), normalization, and the
 * lexicon matcher that finds canonical skills in free text.
 */
import { type LexiconEntry, SKILLS_LEXICON } from './skills-lexicon.ts';

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  bull: '•',
  middot: '·',
};

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X'
          ? Number.parseInt(body.slice(2), 16)
          : Number.parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Turns HTML (or entity-escaped HTML, or plain text) into lines of plain text. */
export function htmlToText(input: string): string {
  let text = input;
  // Greenhouse's `content` is HTML escaped once more: decode it first.
  if (!/<[a-z]/i.test(text) && /&lt;\/?[a-z]/i.test(text)) text = decodeEntities(text);
  text = text
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|ul|ol|h[1-6]|tr|section|header|article)>/gi, '\n')
    .replace(/<(p|div|h[1-6]|ul|ol|tr|section)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, ' ');
  text = decodeEntities(text);
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/[\t\u00a0 ]+/g, ' ').trim())
    .filter((line, index, lines) => line !== '' || (index > 0 && lines[index - 1] !== ''))
    .join('\n')
    .trim();
}

/** Whitespace-collapsed NFC text, for hashing and shingling. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim();
}

interface Token {
  /** Token as written. */
  raw: string;
  lower: string;
  /** True when the token came from splitting a hyphenated word: no exact-case matches. */
  fromSplit: boolean;
}

interface CompiledAlias {
  canonical: string;
  tokens: string[];
  /** When set, the phrase must be written exactly like this. */
  exact?: string;
}

const TOKEN_PATTERN = /\.?[A-Za-z0-9][A-Za-z0-9+#./-]*/g;

function rawTokens(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const token = match[0].replace(/[./-]+$/, '');
    if (token) out.push(token);
  }
  return out;
}

export class SkillMatcher {
  private readonly byFirst = new Map<string, CompiledAlias[]>();
  private readonly knownTokens = new Set<string>();
  private readonly canonicalCache = new Map<string, string | undefined>();
  readonly canonicals: readonly string[];

  constructor(lexicon: readonly LexiconEntry[] = SKILLS_LEXICON) {
    const canonicals: string[] = [];
    for (const [canonical, ...aliases] of lexicon) {
      canonicals.push(canonical);
      const exactCanonical = aliases.includes(`=${canonical}`);
      const forms = exactCanonical ? aliases : [canonical, ...aliases];
      for (const form of forms) {
        const exact = form.startsWith('=') ? form.slice(1) : undefined;
        const phrase = exact ?? form;
        const tokens = rawTokens(phrase).map((t) => t.toLowerCase());
        const first = tokens[0];
        if (!first) continue;
        for (const token of tokens) this.knownTokens.add(token);
        const list = this.byFirst.get(first) ?? [];
        list.push({ canonical, tokens, ...(exact ? { exact: rawTokens(exact).join(' ') } : {}) });
        this.byFirst.set(first, list);
      }
    }
    for (const list of this.byFirst.values())
      list.sort((a, b) => b.tokens.length - a.tokens.length);
    this.canonicals = canonicals;
  }

  private tokenize(text: string): Token[] {
    const out: Token[] = [];
    for (const raw of rawTokens(text)) {
      const lower = raw.toLowerCase();
      if (this.knownTokens.has(lower) || !/[/-]/.test(raw)) {
        out.push({ raw, lower, fromSplit: false });
        continue;
      }
      for (const part of raw.split(/[/-]+/)) {
        if (part) out.push({ raw: part, lower: part.toLowerCase(), fromSplit: true });
      }
    }
    return out;
  }

  /** Canonical skills in `text`, in order of first appearance, each with its count. */
  find(text: string): Map<string, number> {
    const tokens = this.tokenize(text);
    const found = new Map<string, number>();
    let i = 0;
    while (i < tokens.length) {
      const token = tokens[i] as Token;
      const candidates = this.byFirst.get(token.lower);
      let consumed = 1;
      if (candidates) {
        for (const alias of candidates) {
          const n = alias.tokens.length;
          if (i + n > tokens.length) continue;
          let ok = true;
          for (let k = 0; k < n && ok; k++) {
            const t = tokens[i + k] as Token;
            ok = t.lower === alias.tokens[k];
          }
          if (!ok) continue;
          if (alias.exact !== undefined) {
            const span = tokens.slice(i, i + n);
            if (span.some((t) => t.fromSplit)) continue;
            if (span.map((t) => t.raw).join(' ') !== alias.exact) continue;
          }
          found.set(alias.canonical, (found.get(alias.canonical) ?? 0) + 1);
          consumed = n;
          break;
        }
      }
      i += consumed;
    }
    return found;
  }

  /** The canonical name of a skill or alias, if the lexicon knows it. */
  canonicalOf(term: string): string | undefined {
    if (this.canonicalCache.has(term)) return this.canonicalCache.get(term);
    const [first] = this.find(term).keys();
    if (this.canonicalCache.size > 10_000) this.canonicalCache.clear();
    this.canonicalCache.set(term, first);
    return first;
  }
}

let defaultMatcher: SkillMatcher | undefined;

/** The matcher over {@link SKILLS_LEXICON}, compiled once. */
export function skillMatcher(): SkillMatcher {
  defaultMatcher ??= new SkillMatcher();
  return defaultMatcher;
}
