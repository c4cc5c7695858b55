export { createSessionService, type SessionService } from './session-service.js';
export { createSessionStore, sessionIdOf, type Session, type SessionStore } from './session-store.js';
export {
  listenForRevocations,
  type RevocationListener,
  type SessionRevocations,
} from './session-revocations.js';
