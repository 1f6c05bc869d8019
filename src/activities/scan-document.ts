/**
 * Seed step 1 (doc_scan_lambda): OCR the ID document, parse it, record the scan and the selfie, and look for the same
 * document or identity under another user (by keyed hashes, never the plain values).
 */
import { PermanentAdapterError } from '../adapters/errors.ts';
import type { ScanDocumentInput, ScanDocumentResult } from '../contract/activities.ts';
import { linkAccounts } from '../db/account-links.ts';
import { recordScan, upsertIdDocument, upsertSelfie } from '../db/documents.ts';
import { recordFingerprintsAndFindOthers } from '../db/identity-fingerprints.ts';
import { type DocType, docTypeFromFileName } from '../domain/doc-types.ts';
import {
  PARSER_VERSION,
  parseDocumentText,
  parseIdentityFields,
  toDocumentOutcome,
} from '../domain/identity-document.ts';
import { identityFingerprints } from '../domain/identity-fingerprints.ts';
import type { DocumentOutcome } from '../domain/outcomes.ts';
import type { ParsedIdentityDocument } from '../domain/parsed-document.ts';
import type { ActivityDeps } from './deps.ts';
import { createMirrorPublisher } from './mirror.ts';

const DOC_TYPE_OF: Record<ParsedIdentityDocument['documentType'], DocType> = {
  PASSPORT: 'passport',
  ID_CARD: 'id_card',
  DRIVING_LICENCE: 'driving_licence',
};

function isComplete(parsed: ParsedIdentityDocument | null): boolean {
  return Boolean(parsed?.fullName && parsed.birthDate && parsed.expiryDate && parsed.checkDigitsValid !== false);
}

/** Of two readings, the one whose check digits hold, else the more complete one. */
function better(a: ParsedIdentityDocument | null, b: ParsedIdentityDocument | null): ParsedIdentityDocument | null {
  if (!a || !b) return a ?? b;
  if ((a.checkDigitsValid === true) !== (b.checkDigitsValid === true)) return a.checkDigitsValid === true ? a : b;
  return isComplete(b) && !isComplete(a) ? b : a;
}

export function createScanDocumentActivities({ sql, documents, settings, logger, mirror }: ActivityDeps) {
  const mirrored = createMirrorPublisher(sql, mirror);

  /** Other users who presented this document or identity, each linked to this user for CS. */
  async function duplicatesOf(
    parsed: ParsedIdentityDocument,
    ids: { userId: number; cycleId: string; idDocumentId: number },
  ) {
    const duplicates = await recordFingerprintsAndFindOthers(sql, {
      userId: ids.userId,
      idDocumentId: ids.idDocumentId,
      fingerprints: identityFingerprints(parsed, settings.identityHashKey),
    });
    // One link per other user, naming what matched.
    const matchedOn = Map.groupBy(duplicates, (duplicate) => duplicate.userId);
    await linkAccounts(
      sql,
      [...matchedOn].map(([otherUserId, matches]) => ({
        userId: ids.userId,
        otherUserId,
        reason: 'DUPLICATE_IDENTITY',
        cycleId: ids.cycleId,
        detail: { on: matches.map((match) => match.on).join('+') },
      })),
    );
    return duplicates;
  }

  return {
    async scanDocument(input: ScanDocumentInput): Promise<ScanDocumentResult> {
      const { userId, cycleId, asOf, idDocument, selfie } = input;
      const declaredType: DocType | null = idDocument.docType ?? docTypeFromFileName(idDocument.key);
      const idDocumentId = await upsertIdDocument(sql, {
        userId,
        key: idDocument.key,
        docType: declaredType ?? 'unknown',
      });
      const selfieId = await upsertSelfie(sql, { userId, key: selfie.key });

      const raw: Record<string, unknown> = {};
      let parsed: ParsedIdentityDocument | null = null;
      let outcome: DocumentOutcome;
      try {
        // AnalyzeID does not read UK driving licences; their text goes straight to our own parser.
        if (declaredType !== 'driving_licence') {
          const analysis = await documents.analyzeId(idDocument);
          raw.analyzeId = analysis?.raw ?? null;
          parsed = analysis ? parseIdentityFields(analysis.fields) : null;
        }
        if (!isComplete(parsed)) {
          const text = await documents.detectText(idDocument);
          raw.detectDocumentText = text.raw;
          parsed = better(parsed, parseDocumentText(text.lines));
        }
        outcome = toDocumentOutcome(parsed, asOf);
        // For the CS console: which parser read the document and what it found wrong (codes, no document data).
        if (parsed) {
          raw.parsed = { source: parsed.source, problems: parsed.problems, checkDigitsValid: parsed.checkDigitsValid };
        }
        if (parsed && outcome.status === 'READ') {
          outcome = { ...outcome, duplicates: await duplicatesOf(parsed, { userId, cycleId, idDocumentId }) };
        }
      } catch (error) {
        if (!(error instanceof PermanentAdapterError)) throw error;
        raw.error = error.reason;
        outcome = {
          status: 'UNREADABLE',
          cause: error.reason === 'UNSUPPORTED_IMAGE' ? 'UNSUPPORTED_IMAGE' : 'OCR_ERROR',
        };
      }

      await recordScan(sql, {
        userId,
        cycleId,
        idDocumentId,
        textractJson: raw,
        parsedName: parsed?.fullName ?? null,
        parsedDob: parsed?.birthDate ?? null,
        parsedExpiry: parsed?.expiryDate ?? null,
        parserVersion: PARSER_VERSION,
        provider: settings.providers.ocr,
        documentStatus: outcome.status === 'UNREADABLE' ? 'OCR_FAILED' : outcome.expired ? 'EXPIRED' : 'OCR_DONE',
        docType: parsed ? DOC_TYPE_OF[parsed.documentType] : null,
      });
      logger.info(
        { userId, cycleId, idDocumentId, outcome: outcome.status, source: parsed?.source },
        'document scanned',
      );
      await mirrored.documentScanned(userId, cycleId);
      return { idDocumentId, selfieId, outcome };
    },
  };
}
