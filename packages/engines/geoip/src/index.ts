export { RangeTable, compileCsv, flattenRanges, parseV4, parseV6, type GeoIp, type RangeInput } from './range-table.js';
export { compileShippedGeoIp, geoIpDataDir, loadGeoIp, setGeoIpForTesting } from './load.js';
