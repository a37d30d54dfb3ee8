/** The proxy auto-config file served at /proxy.pac and /wpad.dat. */
export function pacFile(proxyHostPort: string, bypassHosts: string[] = []): string {
  const bypass = bypassHosts.map((h) => `      shExpMatch(host, ${JSON.stringify(h)}) ||\n`).join('');
  return `function FindProxyForURL(url, host) {
  if (isPlainHostName(host) ||
${bypass}      shExpMatch(host, "localhost") ||
      isInNet(host, "127.0.0.0", "255.0.0.0") ||
      isInNet(host, "10.0.0.0", "255.0.0.0") ||
      isInNet(host, "172.16.0.0", "255.240.0.0") ||
      isInNet(host, "192.168.0.0", "255.255.0.0"))
    return "DIRECT";
  return "PROXY ${proxyHostPort}; DIRECT";
}
`;
}
