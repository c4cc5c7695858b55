export { createRateLimiter, type RateLimit, type RateLimiter } from './rate-limiter.js';
export {
  createSingleFlight,
  type SingleFlight,
  type SingleFlightOptions,
  type SingleFlightResult,
} from './single-flight.js';
