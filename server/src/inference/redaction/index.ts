export { redactPii, type RedactPiiOptions, type RedactionResult } from './redact-pii.js';
export { findPii, PII_KINDS, type PiiKind, type PiiSpan } from './pii-detectors.js';
export {
  isPlausibleCardNumber,
  isValidLegacyResidentId,
  isValidResidentId,
  passesLuhn,
} from './checksums.js';
