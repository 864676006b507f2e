/**
 * Fabrications of the kinds a tailoring model invents, injected into one
 * rewritten text: for the verifier's property tests and `make bench-honesty`.
 * Each injection returns the text and the invented token, chosen so that the
 * token is not anywhere in the profile (a "new" fact is new to the profile).
 */
import { MONTHS, SCOPE_FAMILIES } from '../claim-lexicon.ts';

export const FABRICATION_KINDS = [
  'new_number',
  'changed_number',
  'new_employer',
  'new_skill',
  'new_credential',
  'shifted_date',
  'inflated_title',
  'strengthened_scope',
  'new_award',
  'new_location',
] as const;
export type FabricationKind = (typeof FABRICATION_KINDS)[number];

export interface Fabrication {
  kind: FabricationKind;
  text: string;
  /** The invented words, as they appear in `text`. */
  token: string;
}

const EMPLOYERS = ['Google', 'Microsoft', 'Netflix', 'Stripe', 'Airbnb', 'Spotify', 'Shopify'];
const SKILLS = ['Elixir', 'Haskell', 'Terraform', 'Snowflake', 'Rust', 'Kotlin', 'Scala', 'OCaml'];
const CREDENTIALS = [
  ['As an AWS Certified Solutions Architect, ', 'AWS Certified'],
  ['Holding a PhD, ', 'PhD'],
  ['As a certified PMP, ', 'PMP'],
  ['With an MBA, ', 'MBA'],
  ['As a CKA-certified engineer, ', 'CKA'],
] as const;
const TITLES = [
  'Principal Engineer',
  'Director of Engineering',
  'VP of Engineering',
  'Chief Architect',
];
const AWARDS = ['Innovation Award', 'Engineering Excellence Award', 'President’s Award'];
const CITIES = ['Berlin', 'Singapore', 'Toronto', 'Madrid', 'Sydney', 'Nairobi', 'Osaka'];

/** Whether `profileText` (lowercased) already holds `token` as a word. */
function inProfile(profileText: string, token: string): boolean {
  const escaped = token.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}([^\\p{L}\\p{N}]|$)`, 'u').test(profileText);
}

function pick<T>(list: readonly T[], seed: number, fits: (item: T) => boolean): T | undefined {
  for (let i = 0; i < list.length; i += 1) {
    const item = list[(seed + i) % list.length] as T;
    if (fits(item)) return item;
  }
  return undefined;
}

function trimEnd(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? `${text[0]?.toLowerCase()}${text.slice(1)}` : text;
}

const NUMBER = /(?<![\p{L}\p{N}_.])(\d+(?:[.,]\d+)*)/u;
const HEDGE = /\b(helped|assisted|contributed to|contributed|participated in|collaborated on)\b/i;

/**
 * Injects one fabrication of `kind` into `text`. `profileText` is all of the
 * profile's text, to pick tokens new to it; `years` are the years the cited
 * entry's dates hold (for a shifted date), `context` the cited entry's facts
 * (a scope the entry already claims is not a strengthened one). Undefined when
 * the kind does not apply (a changed number in a text without one).
 */
export function fabricate(
  kind: FabricationKind,
  text: string,
  profileText: string,
  seed: number,
  entry: { years?: readonly number[]; context?: string } = {},
): Fabrication | undefined {
  const years = entry.years ?? [];
  const profile = profileText.toLowerCase();
  const base = trimEnd(text);
  const fresh = (token: string) => !inProfile(profile, token);
  switch (kind) {
    case 'new_number': {
      const n = pick([7300, 412, 96, 2750, 18, 640], seed, (v) => fresh(String(v)));
      return n === undefined
        ? undefined
        : { kind, text: `${base}, serving ${n} customers`, token: String(n) };
    }
    case 'changed_number': {
      const match = NUMBER.exec(text);
      if (!match) return undefined;
      const old = Number((match[1] as string).replaceAll(',', ''));
      let next = old + 1 + (seed % 7);
      while (!fresh(String(next))) next += 1;
      const start = match.index;
      const replaced = `${text.slice(0, start)}${next}${text.slice(start + (match[1] as string).length)}`;
      return { kind, text: replaced, token: String(next) };
    }
    case 'new_employer': {
      const name = pick(EMPLOYERS, seed, fresh);
      return !name ? undefined : { kind, text: `${base} at ${name}`, token: name };
    }
    case 'new_skill': {
      const skill = pick(SKILLS, seed, fresh);
      return !skill ? undefined : { kind, text: `${base} using ${skill}`, token: skill };
    }
    case 'new_credential': {
      // Ph.D. and PhD are one degree: compared without dots and spaces.
      const squashed = profile.replace(/[.\s]/g, '');
      const credential = pick(
        CREDENTIALS,
        seed,
        ([, token]) => !squashed.includes(token.toLowerCase().replace(/[.\s]/g, '')),
      );
      return (
        credential && {
          kind,
          text: `${credential[0]}${lowerFirst(text)}`,
          token: credential[1],
        }
      );
    }
    case 'shifted_date': {
      const year = years[seed % Math.max(1, years.length)] ?? 2018;
      let shifted = year + (seed % 2 === 0 ? 1 : -1) * (1 + (seed % 3));
      while (!fresh(String(shifted))) shifted += 1;
      const month = MONTHS[seed % 12] as string;
      const written = `${month[0]?.toUpperCase()}${month.slice(1)} ${shifted}`;
      return { kind, text: `${base} in ${written}`, token: String(shifted) };
    }
    case 'inflated_title': {
      const title = pick(TITLES, seed, (t) => fresh(t.split(' ')[0] as string));
      return !title ? undefined : { kind, text: `As ${title}, ${lowerFirst(text)}`, token: title };
    }
    case 'strengthened_scope': {
      const hedge = HEDGE.exec(text);
      if (hedge) {
        const replaced = text.replace(HEDGE, (word) => (/^[A-Z]/.test(word) ? 'Led' : 'led'));
        return { kind, text: replaced, token: 'led' };
      }
      const words = new Set(`${text}\n${entry.context ?? ''}`.toLowerCase().split(/[^a-z-]+/));
      if ([...SCOPE_FAMILIES.lead, ...SCOPE_FAMILIES.own].some((w) => words.has(w)))
        return { kind, text: `Single-handedly ${lowerFirst(text)}`, token: 'Single-handedly' };
      return { kind, text: `Led the team that ${lowerFirst(text)}`, token: 'Led' };
    }
    case 'new_award': {
      const award = pick(AWARDS, seed, (a) => fresh(a));
      return !award ? undefined : { kind, text: `${base}, winning the ${award}`, token: award };
    }
    case 'new_location': {
      const city = pick(CITIES, seed, fresh);
      return !city ? undefined : { kind, text: `${base} in ${city}`, token: city };
    }
  }
}
