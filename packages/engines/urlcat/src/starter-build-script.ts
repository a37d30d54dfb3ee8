/** `npm run -w @mamori/urlcat build:starter`: regenerates data/starter.mdb from the text list. */
import fs from 'node:fs';
import { buildStarterDb, starterDbPath } from './starter.js';

const buf = buildStarterDb();
fs.writeFileSync(starterDbPath(), buf);
process.stdout.write(`${starterDbPath()}: ${buf.length} bytes\n`);
