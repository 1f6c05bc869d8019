/** The intake API's upload form, as a front end sends it: a passport photo page, and a selfie with its liveness session. */
import { jpegImage } from '../test/support/images.ts';

export function documentsForm(livenessSessionId: string | undefined): FormData {
  const form = new FormData();
  form.append('doc_type', 'passport');
  if (livenessSessionId) form.append('liveness_session_id', livenessSessionId);
  form.append('id_document', new Blob([jpegImage()], { type: 'image/jpeg' }), 'passport.jpg');
  form.append('selfie', new Blob([jpegImage(48, 64)], { type: 'image/jpeg' }), 'selfie.jpg');
  return form;
}
