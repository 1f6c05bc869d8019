/**
 * Made-up UK passport holders for demos and tests: realistic names (including hyphenated and apostrophised ones, which
 * exercise MRZ name folding), ages of working healthcare staff, and UK-style passport numbers and validity. Every
 * value comes from a seeded generator, so a seed always gives the same people.
 */

/** A pseudo-random source in [0, 1). */
export type Rng = () => number;

export interface SyntheticPerson {
  surname: string;
  givenNames: string;
  sex: 'M' | 'F';
  /** YYYY-MM-DD */
  birthDate: string;
  placeOfBirth: string;
  /** Nine digits, as on current UK passports. */
  passportNumber: string;
  /** YYYY-MM-DD */
  issueDate: string;
  /** YYYY-MM-DD; ten years after issue, so some generated passports have already expired. */
  expiryDate: string;
}

/** mulberry32: tiny, fast and good enough to vary demo data; not for anything secret. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// biome-ignore format: a word list reads best packed
const SURNAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris',
  'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'King',
  'Baker', 'Harrison', 'Morgan', 'Allen', 'Scott', 'Phillips', 'Watson', 'Parker', 'Price', 'Bennett', 'Griffiths',
  'Mitchell', 'Kelly', 'Carter', 'Richardson', 'Bailey', 'Collins', 'Murphy', 'Khan', 'Singh', 'Begum', 'Hussain',
  'Ali', 'Ahmed', "O'Brien", "O'Connor", 'MacDonald', 'McLeod', 'Okafor', 'Adeyemi', 'Mensah', 'Nowak', 'Kowalski',
  'Chen', 'Nguyen', 'Da Silva', 'Fernandes', 'Gallagher', 'Fitzgerald', 'Llewellyn', 'Pritchard', 'Okonkwo',
];

// biome-ignore format: a word list reads best packed
const GIVEN_NAMES = {
  F: [
    'Olivia', 'Amelia', 'Isla', 'Ava', 'Emily', 'Sophie', 'Grace', 'Charlotte', 'Hannah', 'Chloe', 'Rebecca', 'Sarah',
    'Laura', 'Priya', 'Aisha', 'Fatima', 'Niamh', 'Siobhan', 'Catherine', 'Eleanor', 'Zara', 'Chiamaka', 'Agnieszka',
    'Mei', 'Mary-Jane', 'Anne-Marie', 'Rhiannon', 'Bethan', 'Margaret', 'Joanne',
  ],
  M: [
    'Oliver', 'George', 'Harry', 'Jack', 'James', 'William', 'Thomas', 'Daniel', 'Samuel', 'Joseph', 'David',
    'Michael', 'Christopher', 'Mohammed', 'Arjun', 'Rahul', 'Kwame', 'Chinedu', 'Liam', 'Connor', 'Rhys', 'Owain',
    'Piotr', 'Tomasz', 'Wei', 'Jean-Paul', 'John-Paul', 'Andrew', 'Stephen', 'Gareth',
  ],
} as const;

// biome-ignore format: a word list reads best packed
const PLACES_OF_BIRTH = [
  'LONDON', 'BIRMINGHAM', 'MANCHESTER', 'LEEDS', 'GLASGOW', 'EDINBURGH', 'CARDIFF', 'BELFAST', 'BRISTOL', 'LIVERPOOL',
  'SHEFFIELD', 'NEWCASTLE', 'NOTTINGHAM', 'LEICESTER', 'SWANSEA', 'ABERDEEN', 'PLYMOUTH', 'NORWICH', 'LAGOS',
  'KARACHI', 'MUMBAI', 'DUBLIN', 'WARSAW', 'ACCRA',
];

const DAY_MS = 86_400_000;

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addYears(date: Date, years: number): Date {
  const moved = new Date(date);
  moved.setUTCFullYear(moved.getUTCFullYear() + years);
  return moved;
}

function randomDateBetween(rng: Rng, from: Date, to: Date): Date {
  const days = Math.floor((to.getTime() - from.getTime()) / DAY_MS);
  return new Date(from.getTime() + Math.floor(rng() * (days + 1)) * DAY_MS);
}

export interface RandomPersonOptions {
  /** To match a photo; chosen at random when absent. */
  sex?: 'M' | 'F';
  /** The day ages and validity are measured from; pass one for output that does not change with the calendar. */
  today?: Date;
  /**
   * `valid`: issued within the last nine years, so in date for at least a year; `expired`: ran out within the last two
   * years. Unset: issued within the last eleven years, so about one in eleven has expired.
   */
  validity?: 'valid' | 'expired';
}

/** The span an issue date is drawn from, in years before today. */
const ISSUED_YEARS_AGO = { valid: [9, 0], expired: [12, 10], any: [11, 0] } as const;

export function randomPerson(rng: Rng, options: RandomPersonOptions = {}): SyntheticPerson {
  const today = new Date(`${isoDate(options.today ?? new Date())}T00:00:00Z`);
  const sex = options.sex ?? (rng() < 0.5 ? 'F' : 'M');
  const firstSurname = pick(rng, SURNAMES);
  // About one in five holds a double-barrelled surname, as many UK families do.
  const surname = rng() < 0.2 ? `${firstSurname}-${pick(rng, SURNAMES)}` : firstSurname;
  const firstName = pick(rng, GIVEN_NAMES[sex]);
  const givenNames = rng() < 0.5 ? `${firstName} ${pick(rng, GIVEN_NAMES[sex])}` : firstName;
  // Working age of registered healthcare staff: 21 to 66.
  const birth = randomDateBetween(rng, addYears(today, -66), addYears(today, -21));
  // Valid for ten years from issue; when the issue date falls is the validity option's.
  const [earliest, latest] = ISSUED_YEARS_AGO[options.validity ?? 'any'];
  // Expired ones end at least a day ago: a passport expiring today is still valid today.
  const latestIssue = addYears(today, -latest);
  if (options.validity === 'expired') latestIssue.setUTCDate(latestIssue.getUTCDate() - 1);
  const issue = randomDateBetween(rng, addYears(today, -earliest), latestIssue);
  const passportNumber = String(100_000_000 + Math.floor(rng() * 500_000_000));
  return {
    surname,
    givenNames,
    sex,
    birthDate: isoDate(birth),
    placeOfBirth: pick(rng, PLACES_OF_BIRTH),
    passportNumber,
    issueDate: isoDate(issue),
    expiryDate: isoDate(addYears(issue, 10)),
  };
}
