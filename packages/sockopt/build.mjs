// Install script: build the addon with node-gyp (the one npm ships, or one on PATH). Node's own
// headers are used when they are installed beside the running node (Debian's nodejs, the
// official tarballs), so no download is needed. On platforms other than Linux there is nothing
// to build: the gateway falls back to its other ways of finding the original destination.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

if (process.platform !== 'linux') {
  console.log('@mamori/sockopt: not Linux, nothing to build');
  process.exit(0);
}
const prefix = path.resolve(path.dirname(process.execPath), '..');
const local = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
const r = spawnSync(cmd, [...args, 'rebuild', ...local], { stdio: 'inherit', cwd: path.dirname(new URL(import.meta.url).pathname) });
if (r.error) {
  console.error(`@mamori/sockopt: could not run node-gyp: ${r.error.message}`);
  process.exit(1);
}
process.exit(r.status ?? 1);
