/** One text form per address, so tools that print IPv6 differently (`::` for a single zero group or not) still match. */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head, tail] = ip.includes('::') ? (ip.split('::') as [string, string]) : [ip, undefined];
  const h = head ? head.split(':').filter((x) => x !== '') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = 8 - h.length - t.length;
  if (fill < 0 || (tail === undefined && h.length !== 8)) return ip.toLowerCase();
  const groups = tail === undefined ? h : [...h, ...Array<string>(fill).fill('0'), ...t];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}
