export { startConsole, type ConsoleOptions, type RunningConsole } from './server.js';
