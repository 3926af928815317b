export { startServer, type RunningServer, type ServerOptions } from './server';
export { WEBSOCKET_PATH } from './upgrade';
export type { RateLimitOptions } from './rate-limit';
export { planBind } from './listen';
