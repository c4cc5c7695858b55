export { createWsGateway, type WsGateway, type WsGatewayOptions } from './ws-gateway.js';
