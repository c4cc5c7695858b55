export {
  createWsGateway,
  type SocketPrincipal,
  type WsGateway,
  type WsGatewayOptions,
} from './ws-gateway.js';
export {
  createAnswerStreamStore,
  parseAnswerEntry,
  type AnswerEntry,
  type AnswerStreamStore,
} from './answer-stream-store.js';
export { createStreamHub, type StreamHub } from './stream-hub.js';
