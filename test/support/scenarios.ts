/**
 * People and the scenarios the stand-ins play for them: what Textract reads from their passport, what Rekognition
 * says of their selfie, and what the register shows. Shared by the in-process KycHarness and the chaos run, which
 * drives separate worker and API processes against the same stand-ins.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../src/db/pool.ts';
import { formatTd3Mrz } from '../../src/domain/mrz.ts';
import type { RegType } from '../../src/domain/registers.ts';
import type { ApifyStandIn } from '../stand-ins/apify.ts';
import { type AwsStandIn, imageBytesKey } from '../stand-ins/aws-json.ts';
import {
  analyzeIdResponse,
  compareFacesResponse,
  detectFacesResponse,
  livenessResponse,
  tinyJpeg,
} from '../stand-ins/aws-responses.ts';
import { PEOPLE, personToken, serviceTokenEntry } from './oidc-issuer.ts';

export const BUCKET = 'kyc-raw';
/**
 * What callers present: the product backend's service token, and the access tokens of people who signed in with the
 * test OIDC issuer (Erin of CS, Olly of ops), so every HTTP test acts as a named person.
 */
export const TOKEN = {
  intake: 'intake-service-token-0123456789abcdef',
  cs: personToken(PEOPLE.csErin),
  ops: personToken(PEOPLE.opsOlly),
};
/** The service token as the KYC_SERVICE_TOKENS setting. */
export const SERVICE_TOKENS_SETTING = serviceTokenEntry('test-product-backend', 'intake', TOKEN.intake);
/** What a local Web UI puts in its codec endpoint's path (it can send no header); `npm start` mode only. */
export const WEB_UI_TOKEN = 'test-web-ui-token-0123456789abcdef';
export const WEB_UI_TOKEN_SETTING = serviceTokenEntry('test-web-ui', 'ops', WEB_UI_TOKEN);
export const ACTORS: Record<RegType, string> = {
  GMC: 'kyc~gmc-register',
  NMC: 'kyc~nmc-register',
  GDC: 'kyc~gdc-register',
  GPC: 'kyc~gpc-register',
};

export interface Person {
  givenNames: string;
  surname: string;
  birthDate: string;
  expiryDate: string;
  passportNumber: string;
  regType: RegType;
  regNo: string;
  email: string;
}

/** The seed's example: Dr Jane Ann Doe, GMC 6143219. */
export const SEED_PERSON: Person = {
  givenNames: 'JANE ANN',
  surname: 'DOE',
  birthDate: '1985-02-14',
  expiryDate: '2032-05-01',
  passportNumber: '925665416',
  regType: 'GMC',
  regNo: '6143219',
  email: 'dr.jane@example.com',
};

export interface Scenario {
  /** CompareFaces similarity 0..100, or null for no face on the document. */
  similarity?: number | null;
  /** Liveness confidence 0..100, or null for no liveness session with the selfie. */
  liveness?: number | null;
  /** The register's status wording for this person; null for no entry. */
  registerStatus?: string | null;
  /** The name the register shows, when it differs from the passport's. */
  registerName?: string;
  selfieFaces?: Array<{ sharpness?: number; brightness?: number }>;
  /**
   * Whose face the selfie shows (a label); by default the passport holder's, labelled by passport number. Another
   * label makes the selfie someone else's face to the face index and to the liveness reference comparison.
   */
  selfieFace?: string;
  /** Whose face the liveness session captured; by default the selfie's. */
  livenessFace?: string;
}

export interface ScenarioProgrammer {
  /**
   * Programs the stand-ins for a user's documents (any key ending in passport.* or selfie.*) and register entry, and
   * creates the user's Face Liveness session as POST /users/:id/liveness-session would (recorded for the user).
   */
  program(userId: number, person: Person, scenario?: Scenario): Promise<{ livenessSessionId: string | undefined }>;
  /** Programs Textract to read `person`'s passport from `key`. */
  programPassport(person: Person, key: string): void;
}

/** The face label of a person's passport photo. */
export function faceOfPerson(person: Person): string {
  return `passport-holder-${person.passportNumber}`;
}

/**
 * Makes every register actor answer from the entries `program` sets, keyed by registration number. Liveness
 * sessions are recorded in the service's database (liveness_sessions) as the intake API records the ones it creates.
 */
export function createScenarioProgrammer(aws: AwsStandIn, apify: ApifyStandIn, sql: Sql): ScenarioProgrammer {
  const registerEntries = new Map<string, unknown[]>();
  for (const actor of Object.values(ACTORS)) {
    apify.setItems(
      actor,
      (input) => registerEntries.get(String((input as { registrationNumber?: string }).registrationNumber)) ?? [],
    );
  }
  return {
    async program(userId, person, scenario = {}) {
      // Any passport or selfie of this user: `passport.jpg`, or the intake API's `<uuid>-passport.jpg`.
      programPassport(aws, person, `kyc-raw/${userId}/*passport.*`);
      programSelfie(aws, `kyc-raw/${userId}/*selfie.*`, scenario);
      const selfieFace = scenario.selfieFace ?? faceOfPerson(person);
      // Faces by wider patterns than the answers above: a renewed passport (`passport-renewed.jpg`) shows them too.
      aws.rekognition.faceOf(`kyc-raw/${userId}/*passport*`, faceOfPerson(person));
      aws.rekognition.faceOf(`kyc-raw/${userId}/*selfie*`, selfieFace);
      const livenessSessionId = scenario.liveness === null ? undefined : randomUUID();
      if (livenessSessionId) {
        // Each session's reference image is its own (its bytes carry the session id), showing the face it captured.
        const referenceImage = Buffer.concat([tinyJpeg, Buffer.from(livenessSessionId)]);
        aws.rekognition.faceOf(imageBytesKey(referenceImage), scenario.livenessFace ?? selfieFace);
        aws.rekognition.livenessResult(
          livenessSessionId,
          livenessResponse('SUCCEEDED', scenario.liveness ?? 97.5, referenceImage),
        );
        await sql`insert into liveness_sessions (session_id, user_id) values (${livenessSessionId}, ${userId})`;
      }
      const registerStatus = scenario.registerStatus === undefined ? 'Licensed' : scenario.registerStatus;
      registerEntries.set(
        person.regNo,
        registerStatus === null
          ? []
          : [registerItem(person, registerStatus, scenario.registerName ?? `${person.givenNames} ${person.surname}`)],
      );
      return { livenessSessionId };
    },
    programPassport: (person, key) => programPassport(aws, person, key),
  };
}

/** The register entry the GMC scraper returns, in the seed's raw shape. */
function registerItem(person: Person, status: string, name: string): Record<string, string> {
  return { name, status, reg_no: person.regNo };
}

function programPassport(aws: AwsStandIn, person: Person, passportKey: string) {
  const [given = '', ...middle] = person.givenNames.split(' ');
  const mrz = formatTd3Mrz({
    issuingState: 'GBR',
    surname: person.surname,
    givenNames: person.givenNames,
    documentNumber: person.passportNumber,
    nationality: 'GBR',
    birthDate: person.birthDate,
    sex: 'F',
    expiryDate: person.expiryDate,
  });
  aws.textract.analyzeId(
    passportKey,
    analyzeIdResponse({
      FIRST_NAME: given,
      MIDDLE_NAME: middle.join(' '),
      LAST_NAME: person.surname,
      DATE_OF_BIRTH: person.birthDate,
      EXPIRATION_DATE: person.expiryDate,
      DOCUMENT_NUMBER: person.passportNumber,
      ID_TYPE: 'PASSPORT',
      MRZ_CODE: mrz.join('\n'),
    }),
  );
}

function programSelfie(aws: AwsStandIn, selfieKey: string, scenario: Scenario) {
  aws.rekognition.detectFaces(
    selfieKey,
    detectFacesResponse(scenario.selfieFaces ?? [{ sharpness: 78, brightness: 71 }]),
  );
  aws.rekognition.compareFaces(
    selfieKey,
    compareFacesResponse(scenario.similarity === undefined ? 93 : scenario.similarity),
  );
}
