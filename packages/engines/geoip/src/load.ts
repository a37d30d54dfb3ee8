/**
 * Loading the shipped GeoIP data (npm @ip-location-db/geo-whois-asn-country), once per process.
 * Compiling the CSVs takes seconds, so the compiled table is cached in
 * node_modules/.cache/mamori (or $MAMORI_CACHE_DIR), keyed by the data package's version.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { RangeTable, compileCsv, type GeoIp } from './range-table.js';

const PACKAGE = '@ip-location-db/geo-whois-asn-country';

export function geoIpDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve(`${PACKAGE}/package.json`));
}

function cacheFile(dataDir: string): string {
  const version = (JSON.parse(fs.readFileSync(path.join(dataDir, 'package.json'), 'utf8')) as { version: string }).version;
  const base = process.env['MAMORI_CACHE_DIR'] ?? path.join(dataDir, '..', '..', '.cache', 'mamori');
  return path.join(base, `geoip-${version}.bin`);
}

/** Compiles the package data, or reads the cached compilation. */
export function compileShippedGeoIp(opts: { useCache?: boolean } = {}): RangeTable {
  const dir = geoIpDataDir();
  const cache = cacheFile(dir);
  if (opts.useCache !== false) {
    try {
      return RangeTable.deserialize(fs.readFileSync(cache));
    } catch {
      // no cache yet, or a damaged one: compile below
    }
  }
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'latin1');
  const table = compileCsv(read('geo-whois-asn-country-ipv4-num.csv'), read('geo-whois-asn-country-ipv6.csv'));
  if (opts.useCache !== false) {
    try {
      fs.mkdirSync(path.dirname(cache), { recursive: true });
      const tmp = `${cache}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, table.serialize());
      fs.renameSync(tmp, cache);
    } catch {
      // read-only install: keep the table in memory only
    }
  }
  return table;
}

let shipped: RangeTable | undefined;
let injected: GeoIp | undefined;

/** The process-wide GeoIP table: an injected one (tests), else the package's data. */
export function loadGeoIp(): GeoIp {
  if (injected) return injected;
  shipped ??= compileShippedGeoIp();
  return shipped;
}

/** Replaces the table loadGeoIp() returns (pass undefined to restore the shipped data). */
export function setGeoIpForTesting(table: GeoIp | undefined): void {
  injected = table;
}
