/**
 * The registers' own status wording, mapped into one standing. The wording comes from the registers' public pages,
 * relayed by community scrapers that may shorten or re-case it, so matching is on words rather than exact strings,
 * and is ordered so that a negative ("not registered", "without a licence") wins over the "registered" it contains.
 */
import type { RegisterStanding, RegType } from './registers.ts';

/** Lower case, letters and digits only, single spaces, British spelling: "Licensed to practice" → "licensed to practise". */
function normalised(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/\blicense\b/g, 'licence')
    .replace(/\bpractice\b/g, 'practise')
    .trim();
}

/**
 * Prescribing rights are recorded qualifications, not limits on practice: a GPhC "Independent prescriber" annotation
 * (or an NMC recorded prescribing qualification) means the registrant may do more, so it must never send an
 * otherwise clean entry to review. It is removed from the status text and from the restrictions before matching.
 */
const QUALIFICATIONS =
  /\b(?:annotations?|recorded qualifications?|(?:(?:independent|supplementary|community practitioner|nurse) )*prescribers?|prescribing)\b/g;

/** Words that show nothing: a scraper's "None" in a conditions column is not a condition. */
const NOTHING_SHOWN = /^(?:none|nil|no|n a|not applicable|false)?$/;

function withoutQualifications(text: string): string {
  return normalised(text).replace(QUALIFICATIONS, ' ').replace(/\s+/g, ' ').trim();
}

/** Restrictions that actually restrict: blanks, "None" and prescribing qualifications removed. */
export function effectiveRestrictions(restrictions: readonly string[]): string[] {
  return restrictions.filter((restriction) => !NOTHING_SHOWN.test(withoutQualifications(restriction)));
}

/** Checked in this order; the first rule whose pattern matches decides. */
const STANDING_RULES: readonly (readonly [RegExp, RegisterStanding])[] = [
  // GMC "Erased", "Not registered - Relinquished"; NMC "Removed by a fitness-to-practise panel"; GDC "Erasure".
  [
    /\b(?:erased|erasure|removed|removal|struck off|not registered|no longer registered|deregistered|unregistered|deceased)\b/,
    'REMOVED',
  ],
  // GMC "Suspended"; NMC "Suspended by a fitness-to-practise panel", "Interim suspension order"; GDC "Suspension".
  [/\bsuspen(?:ded|sion)\b/, 'SUSPENDED'],
  // GMC "Registered without a licence to practise"; NMC "Lapsed", "Not currently practising".
  [/\b(?:lapsed|not currently practising|without (?:a )?licence|no licence|not licensed|unlicensed)\b/, 'NOT_LICENSED'],
  // GMC conditions, undertakings, warnings and provisional registration (Foundation Year 1 posts only); NMC
  // "Conditions of practice order", "Undertakings", "Caution"; GDC warnings, reprimands and interim conditions.
  [
    /\b(?:conditions?|undertakings?|warnings?|reprimand(?:ed)?|caution(?:s|ed)?|provisional(?:ly)?|restrict(?:ed|ions?)|interim order|limited|under investigation)\b/,
    'REGISTERED_WITH_RESTRICTIONS',
  ],
];

/**
 * Wording that means on the register and free to practise, per register. The GMC's plain "Registered" is not
 * enough on its own: a doctor also needs a licence to practise, so a GMC entry must say so ("Licensed" is how one
 * scraper abbreviates "Registered with a licence to practise").
 */
const CLEAN_WORDING: Readonly<Record<RegType, ReadonlySet<string>>> = {
  GMC: new Set([
    'registered with a licence to practise',
    'registered with licence to practise',
    'full registration with a licence to practise',
    'licensed',
    'licensed to practise',
  ]),
  NMC: new Set(['registered']),
  GDC: new Set(['registered']),
  GPC: new Set(['registered']),
};

/**
 * Maps a register's status wording and the restrictions shown on the entry to a standing. A clean registered
 * wording with restrictions left over gives REGISTERED_WITH_RESTRICTIONS.
 *
 * Unknown wording never maps to REGISTERED. Wording that still says registered or licensed, with qualifiers this
 * table does not know, maps to REGISTERED_WITH_RESTRICTIONS; anything else maps to NOT_FOUND, read as "no standing
 * could be established from this entry". Both send the case to a person (REGISTER_RESTRICTIONS or
 * REGISTER_NOT_FOUND) rather than failing it on words nobody has seen before; the status text is kept for them.
 */
export function mapRegisterStanding(regType: RegType, statusText: string, restrictions: string[]): RegisterStanding {
  const status = withoutQualifications(statusText);
  const ruled = STANDING_RULES.find(([pattern]) => pattern.test(status))?.[1];
  if (ruled !== undefined) return ruled;
  if (CLEAN_WORDING[regType].has(status)) {
    return effectiveRestrictions(restrictions).length > 0 ? 'REGISTERED_WITH_RESTRICTIONS' : 'REGISTERED';
  }
  if (/\b(?:registered|registration|licensed)\b/.test(status)) return 'REGISTERED_WITH_RESTRICTIONS';
  return 'NOT_FOUND';
}
