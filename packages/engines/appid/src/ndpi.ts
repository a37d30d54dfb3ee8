/**
 * Agreement with nDPI on its regression captures: parse ndpiReader's `.out` flow lines, map
 * nDPI's protocol names onto our catalogue, and compare verdicts flow by flow.
 */
import type { Flow } from '@mamori/flow';
import { analyzeCapture, flowKey, inspectFlow } from '@mamori/flow';
import { flowAppFacts } from './flow-facts.js';
import type { AppMatch, CompiledCatalogue } from './identify.js';
import { identifyWith } from './identify.js';

export interface NdpiFlow {
  line: number;
  protocol: 'tcp' | 'udp';
  a: { ip: string; port: number };
  b: { ip: string; port: number };
  /** e.g. `TLS.Line`, `DNS`, `QUIC.YouTube` */
  proto: string;
  /** the most specific name: `Line`, `DNS`, `YouTube` */
  app: string;
  hostname?: string;
}

const FLOW_LINE = /^\s*\d+\s+(TCP|UDP)\s+(\S+)\s+<?->\s+(\S+)\s+\[proto:\s*(?:[\d.]+\/)?([^\]]+)\]/;

function endpoint(s: string): { ip: string; port: number } | undefined {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s);
  return m ? { ip: m[1]!, port: Number(m[2]) } : undefined;
}

export function parseNdpiResult(text: string): NdpiFlow[] {
  const out: NdpiFlow[] = [];
  text.split('\n').forEach((l, i) => {
    const m = FLOW_LINE.exec(l);
    if (!m) return;
    const a = endpoint(m[2]!);
    const b = endpoint(m[3]!);
    if (!a || !b) return;
    const proto = m[4]!.trim();
    const parts = proto.split('.');
    const f: NdpiFlow = { line: i + 1, protocol: m[1] === 'TCP' ? 'tcp' : 'udp', a, b, proto, app: parts[parts.length - 1]! };
    const h = /\[Hostname\/SNI: ([^\]]*)\]/.exec(l);
    if (h && h[1]!.trim() !== '') f.hostname = h[1]!.trim();
    out.push(f);
  });
  return out;
}

/** nDPI names that are carriers, not applications: flows nDPI labels only so are not compared. */
export const NDPI_GENERIC = new Set(['HTTP', 'TLS', 'QUIC', 'DTLS', 'Unknown']);

/**
 * nDPI protocol name → our application ids that mean the same thing or a finer part of it
 * (nDPI's `Google` covers what we split into google, google-ads, ...). `category:<id>` stands
 * for every app of that category.
 */
export const NDPI_TO_CATALOGUE: Record<string, string[]> = {
  '1kxun': ['kankan-1kxun'],
  ADS_Analytic_Track: ['category:ads-analytics'],
  AFP: ['afp'],
  Alibaba: ['alibaba', 'alibaba-cloud', 'aliexpress', 'taobao', 'alipay'],
  Amazon: ['amazon', 'amazon-alexa', 'amazon-prime-video', 'amazon-music', 'kindle', 'audible'],
  AmazonAWS: ['amazon-aws', 'amazon-s3'],
  AmazonAlexa: ['amazon-alexa'],
  AmazonVideo: ['amazon-prime-video'],
  AMQP: ['amqp'],
  AnyDesk: ['anydesk'],
  Apple: ['apple', 'apple-update', 'apple-maps', 'imessage', 'facetime', 'apple-siri', 'apple-push', 'apple-app-store', 'apple-itunes', 'icloud', 'ocsp'],
  AppleiCloud: ['icloud', 'icloud-mail', 'apple-private-relay'],
  AppleiTunes: ['apple-itunes', 'apple-app-store', 'apple-music', 'podcasts-apple'],
  ApplePush: ['apple-push'],
  AppleSiri: ['apple-siri'],
  AppleStore: ['apple-app-store'],
  AppleTVPlus: ['apple-tv'],
  Azure: ['azure'],
  BGP: ['bgp'],
  BitTorrent: ['bittorrent'],
  Bloomberg: ['bloomberg'],
  Cachefly: ['cachefly'],
  CAPWAP: ['capwap'],
  Cloudflare: ['cloudflare', 'cloudflare-warp', 'cloudflare-tunnel'],
  CloudflareWarp: ['cloudflare-warp'],
  collectd: ['collectd'],
  Crashlytics: ['crashlytics'],
  Cybersec: ['abuse-ch', 'virustotal'],
  DataSaver: ['google'],
  Deezer: ['deezer'],
  DHCP: ['dhcp'],
  DHCPV6: ['dhcpv6'],
  DingTalk: ['dingtalk'],
  Discord: ['discord'],
  DisneyPlus: ['disney-plus'],
  DNS: ['dns'],
  DNScrypt: ['dnscrypt'],
  DoH_DoT: ['doh'],
  Dota2: ['dota2', 'steam'],
  Dropbox: ['dropbox'],
  eBay: ['ebay'],
  Facebook: ['facebook', 'facebook-ads'],
  FacebookMessenger: ['facebook-messenger'],
  FacebookVoip: ['facebook', 'facebook-messenger'],
  FbookReelStory: ['facebook'],
  FortiClient: ['forticlient'],
  FTP_CONTROL: ['ftp'],
  FTP_DATA: ['ftp-data'],
  GeForceNow: ['geforce-now'],
  Git: ['git-protocol'],
  Github: ['github', 'github-copilot'],
  GitLab: ['gitlab'],
  GMail: ['gmail'],
  Gnutella: ['gnutella'],
  Google: ['google', 'google-ads', 'google-maps', 'google-translate', 'google-news', 'google-calendar', 'google-keep', 'chrome-update', 'google-mtalk', 'google-play'],
  GoogleCall: ['google-meet', 'google'],
  GoogleChat: ['google-chat'],
  GoogleClassroom: ['google-classroom'],
  GoogleCloud: ['google-cloud'],
  GoogleDocs: ['google-docs', 'google-drive'],
  GoogleDrive: ['google-drive'],
  GoogleMaps: ['google-maps'],
  GoogleMeet: ['google-meet'],
  GoogleServices: ['google', 'google-ads', 'google-mtalk', 'chrome-update', 'google-play', 'google-cloud'],
  GTP: ['gtp'],
  HLS: ['hls'],
  HTTP_Connect: ['http-proxy'],
  HTTP_Proxy: ['http-proxy'],
  Hulu: ['hulu'],
  IMAP: ['imap'],
  IMAPS: ['imaps'],
  Instagram: ['instagram'],
  IPP: ['ipp'],
  IRC: ['irc'],
  KakaoTalk: ['kakao'],
  KakaoTalk_Voice: ['kakao'],
  Kerberos: ['kerberos'],
  LDAP: ['ldap'],
  Line: ['line', 'line-music', 'line-openchat', 'line-manga'],
  LineCall: ['line'],
  LinkedIn: ['linkedin', 'linkedin-ads'],
  LLMNR: ['llmnr'],
  MapleStory: ['maplestory'],
  MDNS: ['mdns'],
  Messenger: ['facebook-messenger'],
  Microsoft: ['microsoft', 'bing', 'microsoft-defender', 'microsoft-365', 'microsoft-store', 'microsoft-ads'],
  Microsoft365: ['microsoft-365'],
  MpegDash: ['mpeg-dash'],
  MQTT: ['mqtt'],
  MsSQL_TDS: ['mssql'],
  Mumble: ['mumble'],
  Munin: ['munin'],
  MySQL: ['mysql'],
  NetBIOS: ['netbios'],
  NetEaseGames: ['netease-games'],
  NetFlix: ['netflix'],
  Nintendo: ['nintendo'],
  NTP: ['ntp'],
  ntop: ['ntop'],
  OCSP: ['ocsp', 'letsencrypt'],
  Ookla: ['ookla-speedtest'],
  OpenVPN: ['openvpn'],
  OperaVPN: ['opera-vpn'],
  Outlook: ['outlook', 'microsoft-365'],
  Pinterest: ['pinterest'],
  PlayStore: ['google-play'],
  Pluralsight: ['pluralsight'],
  POP3: ['pop3'],
  POPS: ['pop3s'],
  PostgreSQL: ['postgresql'],
  ProtonVPN: ['protonvpn'],
  QQ: ['qq', 'tencent-video', 'qq-music', 'tencent-games'],
  RDP: ['rdp'],
  Reddit: ['reddit'],
  Roblox: ['roblox'],
  RTSP: ['rtsp'],
  Salesforce: ['salesforce'],
  Signal: ['signal'],
  SignalVoip: ['signal'],
  SIP: ['sip'],
  Skype_Teams: ['skype', 'microsoft-teams'],
  Slack: ['slack'],
  SMBv1: ['smb', 'netbios'],
  SMBv23: ['smb'],
  SMTP: ['smtp'],
  SMTPS: ['smtps'],
  Snapchat: ['snapchat'],
  SNMP: ['snmp'],
  Softether: ['softether'],
  Spotify: ['spotify'],
  SSDP: ['ssdp'],
  SSH: ['ssh'],
  Steam: ['steam'],
  STUN: ['stun'],
  Syslog: ['syslog'],
  Teams: ['microsoft-teams'],
  TeamViewer: ['teamviewer'],
  Telegram: ['telegram'],
  TelegramVoip: ['telegram'],
  Telnet: ['telnet'],
  TFTP: ['tftp'],
  TikTok: ['tiktok'],
  Tor: ['tor'],
  Tumblr: ['tumblr'],
  TunnelBear: ['tunnelbear'],
  Twitch: ['twitch'],
  Twitter: ['twitter', 'twitter-ads'],
  Viber: ['viber'],
  ViberVoip: ['viber'],
  VK: ['vk'],
  VNC: ['vnc'],
  VXLAN: ['vxlan'],
  Waze: ['waze'],
  Webex: ['webex'],
  WeChat: ['wechat'],
  WhatsApp: ['whatsapp'],
  WhatsAppCall: ['whatsapp'],
  WhatsAppFiles: ['whatsapp'],
  'Whois-DAS': ['whois', 'rdap'],
  Wikipedia: ['wikipedia'],
  WindowsUpdate: ['windows-update'],
  WireGuard: ['wireguard'],
  WorldOfWarcraft: ['world-of-warcraft', 'battle-net'],
  Xbox: ['xbox-live'],
  Yahoo: ['yahoo', 'yahoo-mail', 'yahoo-ads'],
  YouTube: ['youtube', 'youtube-music'],
  YouTubeUpload: ['youtube'],
  Zattoo: ['zattoo'],
  Zoom: ['zoom'],
};

export function ndpiAgrees(c: CompiledCatalogue, ndpiApp: string, ours: AppMatch | undefined): boolean {
  if (!ours) return false;
  const targets = NDPI_TO_CATALOGUE[ndpiApp];
  if (!targets) return false;
  return targets.some((t) => (t.startsWith('category:') ? ours.category === t.slice(9) : ours.app === t));
}

export interface CaptureAgreement {
  capture: string;
  flows: number;
  compared: number;
  agreed: number;
  /** compared flows we could not find in our flow table */
  missing: number;
  /** disagreements: nDPI's name and host, our verdict */
  misses: Array<{ line: number; ndpi: string; hostname?: string; ours?: string }>;
  damage: string[];
}

/** Compare our identification of every flow in `pcap` with nDPI's verdicts in `resultText`. */
export function compareWithNdpi(c: CompiledCatalogue, capture: string, pcap: Uint8Array, resultText: string): CaptureAgreement {
  const { flows, stats } = analyzeCapture(pcap);
  const byKey = new Map<string, Flow[]>();
  for (const f of flows) {
    const k = flowKey(f.protocol, f.client, f.server);
    const l = byKey.get(k);
    if (l) l.push(f);
    else byKey.set(k, [f]);
  }
  const res: CaptureAgreement = {
    capture,
    flows: flows.length,
    compared: 0,
    agreed: 0,
    missing: 0,
    misses: [],
    damage: stats.damage.map((d) => `${d.reason} at byte ${d.offset}`),
  };
  for (const n of parseNdpiResult(resultText)) {
    if (n.hostname === undefined || NDPI_GENERIC.has(n.app)) continue;
    res.compared++;
    const candidates = byKey.get(flowKey(n.protocol, n.a, n.b)) ?? [];
    if (candidates.length === 0) {
      res.missing++;
      res.misses.push({ line: n.line, ndpi: n.proto, hostname: n.hostname, ours: '(flow not found)' });
      continue;
    }
    let best: AppMatch | undefined;
    for (const f of candidates) {
      const m = identifyWith(c, flowAppFacts(f, inspectFlow(f)));
      if (m && (best === undefined || ndpiAgrees(c, n.app, m))) best = m;
      if (best && ndpiAgrees(c, n.app, best)) break;
    }
    if (ndpiAgrees(c, n.app, best)) res.agreed++;
    else {
      const miss: CaptureAgreement['misses'][number] = { line: n.line, ndpi: n.proto, hostname: n.hostname };
      if (best) miss.ours = best.function ? `${best.app}:${best.function}` : best.app;
      res.misses.push(miss);
    }
  }
  return res;
}
