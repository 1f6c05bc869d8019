/**
 * Apify dataset items, one adapter per register, into one RegisterRecord. The GMC, GDC and GPhC actors are community
 * scrapers whose output shapes change without notice, so each adapter accepts the field names seen so far (listed on
 * its schema) and skips any item it cannot read rather than failing the check. The NMC has no public actor; its
 * adapter defines the contract a configured actor must meet.
 */
import { z } from 'zod';
import { effectiveRestrictions, mapRegisterStanding } from './register-status.ts';
import type { RegisterRecord, RegType } from './registers.ts';

/** What every adapter extracts from one item, before the standing is worked out. */
interface RegisterEntry {
  regNo: string;
  fullName: string | null;
  statusText: string;
  restrictions: string[];
}

/** Text a scraper may emit as a number: reference numbers often arrive as JSON numbers. */
const text = z.union([z.string(), z.number()]).transform((value) => String(value).replace(/\s+/g, ' ').trim());
const optionalText = text.nullish();

/** A restrictions column: one string, a list of strings, or nothing. */
const textList = z
  .union([z.string(), z.array(z.string())])
  .nullish()
  .transform((value) => (value === null || value === undefined ? [] : [value].flat()));

/** The first alias the item filled in, in the order the schema lists them. */
function firstOf(...values: (string | null | undefined)[]): string | null {
  return values.find((value) => value !== null && value !== undefined && value !== '') ?? null;
}

/**
 * GMC doctors scraper. Aliases: name `fullName` | `name`; number `gmcReferenceNumber` | `referenceNumber` |
 * `gmcNumber` | `reg_no` (the seed's raw example: `{"name":"JANE ANN DOE","status":"Licensed","reg_no":"6143219"}`);
 * status `registrationStatus` | `status`; licence `licence` | `licenceStatus` (text or boolean); restrictions
 * `conditions`, `undertakings`, `warnings`. GP and Specialist Register columns are not needed for a standing.
 */
const gmcItem = z
  .object({
    fullName: optionalText,
    name: optionalText,
    gmcReferenceNumber: optionalText,
    referenceNumber: optionalText,
    gmcNumber: optionalText,
    reg_no: optionalText,
    registrationStatus: optionalText,
    status: optionalText,
    licence: z.union([text, z.boolean()]).nullish(),
    licenceStatus: z.union([text, z.boolean()]).nullish(),
    conditions: textList,
    undertakings: textList,
    warnings: textList,
  })
  .transform((item) => ({
    regNo: firstOf(item.gmcReferenceNumber, item.referenceNumber, item.gmcNumber, item.reg_no),
    fullName: firstOf(item.fullName, item.name),
    statusText: gmcStatusText(firstOf(item.registrationStatus, item.status), item.licence ?? item.licenceStatus),
    restrictions: [...item.conditions, ...item.undertakings, ...item.warnings],
  }));

/** A licence column read as yes or no; null when it says neither. */
function licensedFrom(licence: string | boolean): boolean | null {
  if (typeof licence === 'boolean') return licence;
  if (/\b(?:no|not|none|without)\b/i.test(licence)) return false;
  if (/\b(?:yes|licen[cs]ed|with a licen[cs]e)\b/i.test(licence)) return true;
  return null;
}

/**
 * Scrapers that split the GMC's "Registered with a licence to practise" into a bare "Registered" and a licence
 * column are put back into the GMC's own wording. Any other status is the register's own and is kept as it is, as
 * is a bare "Registered" whose licence column says neither yes nor no.
 */
function gmcStatusText(status: string | null, licence: string | boolean | null | undefined): string | null {
  if (status === null || status.toLowerCase() !== 'registered' || licence === null || licence === undefined) {
    return status;
  }
  const licensed = licensedFrom(licence);
  if (licensed === null) return status;
  return `${status} ${licensed ? 'with' : 'without'} a licence to practise`;
}

/**
 * NMC contract for a configured actor (no public one exists): `pin`, `name`, `registrationStatus` in the NMC's
 * wording ("Registered", "Lapsed", "Suspended by a fitness-to-practise panel", …), and optional `practisingConditions`
 * and `sanctions` (conditions of practice orders, undertakings, cautions), each a string or a list of strings.
 */
const nmcItem = z
  .object({
    pin: text,
    name: optionalText,
    registrationStatus: text,
    practisingConditions: textList,
    sanctions: textList,
  })
  .transform((item) => ({
    regNo: item.pin,
    fullName: firstOf(item.name),
    statusText: item.registrationStatus,
    restrictions: [...item.practisingConditions, ...item.sanctions],
  }));

/**
 * GDC register scraper. Aliases: `name`; number `registrationNumber` | `gdcNumber`; `status`; restrictions
 * `conditions`. `registrantType` (dentist, dental nurse, …) and the dates are not needed for a standing.
 */
const gdcItem = z
  .object({
    name: optionalText,
    registrationNumber: optionalText,
    gdcNumber: optionalText,
    status: optionalText,
    conditions: textList,
  })
  .transform((item) => ({
    regNo: firstOf(item.registrationNumber, item.gdcNumber),
    fullName: firstOf(item.name),
    statusText: firstOf(item.status),
    restrictions: item.conditions,
  }));

/**
 * GPhC register scraper. Aliases: `name`; number `registrationNumber` | `gphcNumber`; `status`; restrictions
 * `fitnessToPractise` | `ftpFlags` (a string, a list, or `true` when the scraper only flags that something is
 * shown). `annotations` (independent or supplementary prescriber) are qualifications, never restrictions, so they
 * are not read.
 */
const gphcItem = z
  .object({
    name: optionalText,
    registrationNumber: optionalText,
    gphcNumber: optionalText,
    status: optionalText,
    fitnessToPractise: z.union([textList, z.boolean()]),
    ftpFlags: z.union([textList, z.boolean()]),
  })
  .transform((item) => ({
    regNo: firstOf(item.registrationNumber, item.gphcNumber),
    fullName: firstOf(item.name),
    statusText: firstOf(item.status),
    restrictions: [item.fitnessToPractise, item.ftpFlags].flatMap((flags) =>
      flags === true ? ['Fitness to practise history shown on the register'] : flags === false ? [] : flags,
    ),
  }));

/**
 * The renewal or revalidation date, where a scraper or register download shows one (NMC renewal, GMC revalidation,
 * GPhC annual renewal): `renewalDate` | `revalidationDate` | `registrationExpiry` | `expiryDate` | `registeredUntil`,
 * as YYYY-MM-DD or DD/MM/YYYY. Anything else is left out rather than guessed.
 */
const renewalDateItem = z.object({
  renewalDate: optionalText,
  revalidationDate: optionalText,
  registrationExpiry: optionalText,
  expiryDate: optionalText,
  registeredUntil: optionalText,
});

function renewalDateOf(item: unknown): string | null {
  const parsed = renewalDateItem.safeParse(item);
  if (!parsed.success) return null;
  const { renewalDate, revalidationDate, registrationExpiry, expiryDate, registeredUntil } = parsed.data;
  const text = firstOf(renewalDate, revalidationDate, registrationExpiry, expiryDate, registeredUntil);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? '') ?? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text ?? '');
  if (!iso) return null;
  const [year, month, day] = iso[1]?.length === 4 ? [iso[1], iso[2], iso[3]] : [iso[3], iso[2], iso[1]];
  const date = `${year}-${month}-${day}`;
  return Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ? null : date;
}

const ADAPTERS = { GMC: gmcItem, NMC: nmcItem, GDC: gdcItem, GPC: gphcItem } as const;

function comparable(regNo: string): string {
  return regNo.replace(/\s+/g, '').toUpperCase();
}

/** The adapter's reading of an item, or null when the item is not one it can use. */
function entryOf(regType: RegType, item: unknown): RegisterEntry | null {
  const parsed = ADAPTERS[regType].safeParse(item);
  if (!parsed.success) return null;
  const { regNo, fullName, statusText, restrictions } = parsed.data;
  if (regNo === null || statusText === null || statusText === '') return null;
  return { regNo, fullName, statusText, restrictions: effectiveRestrictions(restrictions) };
}

/**
 * The entry for `regNo` among a run's dataset items (a search may return several people). Items that do not
 * validate are skipped; no entry with that number gives standing NOT_FOUND.
 */
export function registerRecordFromItems(regType: RegType, regNo: string, items: unknown[]): RegisterRecord {
  const wanted = comparable(regNo);
  for (const item of items) {
    const entry = entryOf(regType, item);
    if (entry && comparable(entry.regNo) === wanted) {
      const renewalDate = renewalDateOf(item);
      return {
        regType,
        ...entry,
        standing: mapRegisterStanding(regType, entry.statusText, entry.restrictions),
        ...(renewalDate ? { renewalDate } : {}),
      };
    }
  }
  return { regType, regNo, fullName: null, statusText: 'Not found', standing: 'NOT_FOUND', restrictions: [] };
}
