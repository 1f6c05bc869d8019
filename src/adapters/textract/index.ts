/** OCR of identity documents: Amazon Textract, or tesseract.js locally. */
import type { ObjectRef } from '../s3/index.ts';

/** One field read by an identity-document analysis (Textract AnalyzeID's `IdentityDocumentFields`). */
export interface IdentityField {
  text: string;
  /** The engine's normalised value where it gives one, e.g. an ISO date for date fields. */
  normalized?: string;
  confidence: number;
}

export interface IdentityAnalysis {
  /** Field type (FIRST_NAME, LAST_NAME, DATE_OF_BIRTH, EXPIRATION_DATE, DOCUMENT_NUMBER, MRZ_CODE, …) to its value. */
  fields: Record<string, IdentityField>;
  /** The engine's whole answer, stored in doc_scans.textract_json. */
  raw: unknown;
}

export interface TextDetection {
  lines: string[];
  raw: unknown;
}

export interface DocumentReader {
  /** Structured identity fields, or null when this engine has no identity-document analysis. */
  analyzeId(ref: ObjectRef): Promise<IdentityAnalysis | null>;
  detectText(ref: ObjectRef): Promise<TextDetection>;
}
