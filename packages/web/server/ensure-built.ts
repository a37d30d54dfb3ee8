/** `npm start` runs this first: build the web app when packages/web/dist is missing. */
import { ensureWebBuilt, isWebBuilt } from './serve.js';

if (!isWebBuilt()) {
  await ensureWebBuilt({ log: (l) => process.stdout.write(l + '\n') });
}
