/** The four UK registers this service checks, and the one vocabulary their many status wordings map into. */

export const REG_TYPES = ['GMC', 'NMC', 'GDC', 'GPC'] as const;
export type RegType = (typeof REG_TYPES)[number];

/**
 * Where a professional stands on their register, whatever the register's own wording:
 * - REGISTERED: on the register and free to practise.
 * - REGISTERED_WITH_RESTRICTIONS: registered, with conditions, warnings, undertakings or annotations shown.
 * - NOT_LICENSED: registered without a licence to practise, not currently practising, or lapsed.
 * - SUSPENDED: suspended, including interim suspension orders.
 * - REMOVED: erased or removed.
 * - NOT_FOUND: no entry for that number.
 */
export const REGISTER_STANDINGS = [
  'REGISTERED',
  'REGISTERED_WITH_RESTRICTIONS',
  'NOT_LICENSED',
  'SUSPENDED',
  'REMOVED',
  'NOT_FOUND',
] as const;
export type RegisterStanding = (typeof REGISTER_STANDINGS)[number];

/** One register entry, the same shape whichever register or scraper it came from. */
export interface RegisterRecord {
  regType: RegType;
  /** The number as the register shows it. */
  regNo: string;
  fullName: string | null;
  /** The register's own status wording, kept for audit and for CS. */
  statusText: string;
  standing: RegisterStanding;
  /** Conditions, undertakings, warnings or fitness-to-practise annotations shown on the entry. */
  restrictions: string[];
  /** YYYY-MM-DD: when the registration must next be renewed or revalidated, where the entry shows it. */
  renewalDate?: string;
}

/**
 * Where the daily register monitor reads a register: an Apify actor run over a list of numbers, the register's own
 * data download, or a local snapshot file; NONE when nothing is configured.
 */
export const REGISTER_SOURCE_KINDS = ['APIFY_ACTOR', 'DATA_FILE', 'SNAPSHOT', 'NONE'] as const;
export type RegisterSourceKind = (typeof REGISTER_SOURCE_KINDS)[number];

/** A source's health as the last monitor pass found it. */
export const REGISTER_SOURCE_HEALTHS = ['OK', 'FAILING', 'NOT_CONFIGURED'] as const;
export type RegisterSourceHealth = (typeof REGISTER_SOURCE_HEALTHS)[number];
