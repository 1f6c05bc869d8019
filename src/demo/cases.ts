/**
 * The demo's four cases, each a made-up healthcare worker with a passport page, a selfie and an entry in their
 * register, built so the real checks reach a known decision: one PASS, one MANUAL_REVIEW left for a person to decide,
 * one FAIL for an expired passport, one FAIL for a selfie of someone else. Which faces, names and numbers come from the
 * seed; nothing is a real person's.
 */
import type { ReasonCode } from '../domain/reasons.ts';
import type { RegType } from '../domain/registers.ts';
import { IN_GOOD_STANDING, type RegisterEntry, randomRegistrationNumber } from './register-snapshots.ts';
import { renderPassport, renderSelfie, type SelfieVariant, sampleFaces } from './synthetic-documents.ts';
import { type Rng, randomPerson, type SyntheticPerson } from './synthetic-people.ts';

export interface DemoCase {
  title: string;
  regType: RegType;
  regNo: string;
  email: string;
  /** JPEGs: the passport data page and the selfie. */
  passport: Uint8Array;
  selfie: Uint8Array;
  /** Which sample face the selfie shows: a face another user was accepted with makes the fraud controls step in. */
  selfieFaceId: string;
  registerEntry: RegisterEntry;
  /** The automatic decision the checks should reach, and the reason that decides it. */
  expected: { decision: 'PASS' | 'FAIL' | 'MANUAL_REVIEW'; reason?: ReasonCode };
}

interface CasePlan {
  title: string;
  regType: RegType;
  validity: 'valid' | 'expired';
  selfieOfSomeoneElse?: boolean;
  restrictions?: string;
  expected: DemoCase['expected'];
}

const PLANS: readonly CasePlan[] = [
  {
    title: 'GMC doctor, everything in order',
    regType: 'GMC',
    validity: 'valid',
    expected: { decision: 'PASS' },
  },
  {
    title: 'NMC nurse whose register entry shows conditions of practice',
    regType: 'NMC',
    validity: 'valid',
    restrictions: 'Conditions of practice order: to work under the supervision of a registered nurse',
    expected: { decision: 'MANUAL_REVIEW', reason: 'REGISTER_RESTRICTIONS' },
  },
  {
    title: 'GDC dentist with an expired passport',
    regType: 'GDC',
    validity: 'expired',
    expected: { decision: 'FAIL', reason: 'DOCUMENT_EXPIRED' },
  },
  {
    title: "GPhC pharmacist whose selfie shows someone else's face",
    regType: 'GPC',
    validity: 'valid',
    selfieOfSomeoneElse: true,
    expected: { decision: 'FAIL', reason: 'FACE_MISMATCH' },
  },
];

/** A phone selfie: mirrored as front cameras show it, framed and lit a little differently from the passport photo. */
function selfieVariant(rng: Rng): SelfieVariant {
  const between = (low: number, high: number) => low + (high - low) * rng();
  return {
    mirror: true,
    brightness: between(0.85, 1.15),
    crop: { zoom: between(1.05, 1.25), shiftX: between(-0.03, 0.03), shiftY: between(-0.03, 0.01) },
  };
}

function emailOf(person: SyntheticPerson, regNo: string): string {
  const local = `${person.givenNames.split(' ')[0]}.${person.surname}`.toLowerCase().replace(/[^a-z.]/g, '');
  return `${local}.${regNo.toLowerCase()}@example.org`;
}

export async function buildDemoCases(rng: Rng): Promise<DemoCase[]> {
  // Shuffled, so each seed puts different faces on the passports; the sample photos are all of women.
  const faces = (await sampleFaces())
    .map((face) => ({ face, order: rng() }))
    .sort((a, b) => a.order - b.order)
    .map(({ face }) => face);
  const faceAt = (index: number): { id: string; image: Uint8Array } => {
    const face = faces[index % faces.length];
    if (!face) throw new Error('no sample faces');
    return face;
  };
  const cases: DemoCase[] = [];
  for (const [index, plan] of PLANS.entries()) {
    const person = randomPerson(rng, { sex: 'F', validity: plan.validity });
    const regNo = randomRegistrationNumber(rng, plan.regType);
    // Case n's passport shows face n; someone else's face is one that no case's passport shows.
    const selfieFace = plan.selfieOfSomeoneElse ? faceAt(PLANS.length) : faceAt(index);
    cases.push({
      title: plan.title,
      regType: plan.regType,
      regNo,
      email: emailOf(person, regNo),
      passport: await renderPassport(person, faceAt(index).image),
      selfie: await renderSelfie(selfieFace.image, selfieVariant(rng)),
      selfieFaceId: selfieFace.id,
      registerEntry: {
        regType: plan.regType,
        regNo,
        name: `${person.givenNames} ${person.surname}`,
        status: IN_GOOD_STANDING[plan.regType],
        ...(plan.restrictions ? { restrictions: plan.restrictions } : {}),
      },
      expected: plan.expected,
    });
  }
  return cases;
}
