/** `npx cdk synth|deploy` (from infra/) runs this. */
import { buildKycApp } from '../lib/app.ts';

buildKycApp().app.synth();
