export { createSessionService, type SessionService } from './session-service.js';
export { createSessionStore, type Session, type SessionStore } from './session-store.js';
