export { startConsole, type ConsoleOptions, type RunningConsole } from './server.js';
export { createConsole, type Console } from './app.js';
export { optionsFromEnv } from './config.js';
export { RouteRegistry, type RouteDef, type Access, type Auth, type HandlerContext } from './http/registry.js';
export { ApiError, API_ERRORS, type ApiErrorCode } from './errors.js';
export type { Services } from './services/services.js';
export { Store, TenantStore } from './store/store.js';
export { openDatabase } from './store/db.js';
export { createCsr } from './crypto/pki.js';
