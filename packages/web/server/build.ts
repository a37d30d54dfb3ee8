/** `npm run build -w @mamori/web`: the Vite build plus dist/catalog.json. */
import { ensureWebBuilt } from './serve.js';

await ensureWebBuilt({ force: true });
