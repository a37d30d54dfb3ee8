/**
 * The URL category taxonomy (manual §2: "about 80 categories"). Ids are the cross-helper contract
 * (CONTRACTS.md); names are shown in the console in Japanese and English; the risk group orders
 * them in the category picker and tells the reports which categories are a liability.
 */
export type RiskGroup = 'security' | 'legal' | 'productivity' | 'bandwidth' | 'general';

export interface UrlCategory {
  id: string;
  group: RiskGroup;
  en: string;
  ja: string;
}

export const RISK_GROUPS: ReadonlyArray<{ id: RiskGroup; en: string; ja: string }> = [
  { id: 'security', en: 'Internet security', ja: 'インターネットセキュリティ' },
  { id: 'legal', en: 'Legal liability', ja: '法的責任' },
  { id: 'productivity', en: 'Productivity', ja: '生産性' },
  { id: 'bandwidth', en: 'Network bandwidth', ja: 'ネットワーク帯域' },
  { id: 'general', en: 'General', ja: '一般' },
];

const c = (id: string, group: RiskGroup, en: string, ja: string): UrlCategory => ({ id, group, en, ja });

export const URL_CATEGORIES: readonly UrlCategory[] = Object.freeze([
  // security
  c('malware', 'security', 'Malware', '不正プログラム'),
  c('phishing', 'security', 'Phishing', 'フィッシング'),
  c('cnc', 'security', 'C&C servers (botnets)', 'C&Cサーバ (ボットネット)'),
  c('cryptomining', 'security', 'Cryptomining', '暗号資産マイニング'),
  c('spyware', 'security', 'Spyware', 'スパイウェア'),
  c('stalkerware', 'security', 'Stalkerware', 'ストーカーウェア'),
  c('potentially-unwanted', 'security', 'Potentially unwanted software', '迷惑ソフトウェア'),
  c('scam', 'security', 'Scams and fraud', '詐欺'),
  c('spam-sites', 'security', 'Spam URLs', 'スパムURL'),
  c('hacking', 'security', 'Hacking', 'ハッキング'),
  c('ddos-services', 'security', 'DDoS-for-hire services', 'DDoS代行サービス'),
  c('proxy-avoidance', 'security', 'Proxy avoidance and anonymizers', 'プロキシ回避・匿名化'),
  c('vpn', 'security', 'VPN services', 'VPNサービス'),
  c('dns-over-https', 'security', 'Public DNS-over-HTTPS resolvers', 'DNS over HTTPS'),
  c('dynamic-dns', 'security', 'Dynamic DNS', 'ダイナミックDNS'),
  c('newly-registered', 'security', 'Newly observed domains', '新規観測ドメイン'),
  c('parked-domains', 'security', 'Parked domains', 'パーキングドメイン'),
  // legal liability
  c('adult', 'legal', 'Adult / pornography', 'アダルト・ポルノ'),
  c('mature-content', 'legal', 'Mature content', '成人向けコンテンツ'),
  c('intimate-apparel', 'legal', 'Intimate apparel and swimwear', '下着・水着'),
  c('sex-education', 'legal', 'Sex education', '性教育'),
  c('dating', 'legal', 'Dating and personals', '出会い・交際'),
  c('gambling', 'legal', 'Gambling', 'ギャンブル'),
  c('illegal-drugs', 'legal', 'Illegal drugs', '違法薬物'),
  c('alcohol-tobacco', 'legal', 'Alcohol and tobacco', 'アルコール・たばこ'),
  c('weapons', 'legal', 'Weapons and dangerous material', '武器・危険物'),
  c('violence-hate', 'legal', 'Violence, hate and racism', '暴力・差別・ヘイト'),
  c('cults', 'legal', 'Cults and occult', 'カルト・オカルト'),
  c('illegal-software', 'legal', 'Illegal software and piracy', '違法ソフトウェア・海賊版'),
  c('cheating', 'legal', 'Academic cheating', '不正行為 (カンニング)'),
  c('disinformation', 'legal', 'Disinformation', '偽情報'),
  c('tasteless', 'legal', 'Tasteless', '悪趣味'),
  // productivity
  c('social-networking', 'productivity', 'Social networking', 'ソーシャルネットワーク'),
  c('chat', 'productivity', 'Chat', 'チャット'),
  c('instant-messaging', 'productivity', 'Instant messaging', 'インスタントメッセージ'),
  c('webmail', 'productivity', 'Web mail', 'Webメール'),
  c('blogs', 'productivity', 'Blogs and personal sites', 'ブログ・個人サイト'),
  c('forums', 'productivity', 'Forums and message boards', '掲示板・フォーラム'),
  c('games', 'productivity', 'Games', 'ゲーム'),
  c('shopping', 'productivity', 'Shopping', 'ショッピング'),
  c('auctions', 'productivity', 'Auctions and marketplaces', 'オークション・フリマ'),
  c('entertainment', 'productivity', 'Entertainment', 'エンターテインメント'),
  c('celebrity', 'productivity', 'Celebrities and gossip', '芸能・ゴシップ'),
  c('manga-anime', 'productivity', 'Manga and anime', 'マンガ・アニメ'),
  c('sports', 'productivity', 'Sports', 'スポーツ'),
  c('travel', 'productivity', 'Travel', '旅行'),
  c('job-search', 'productivity', 'Job search', '求人・転職'),
  c('astrology', 'productivity', 'Astrology and fortune telling', '占い'),
  c('cooking', 'productivity', 'Cooking and recipes', '料理・レシピ'),
  c('restaurants', 'productivity', 'Restaurants and dining', 'グルメ・飲食店'),
  c('hobbies', 'productivity', 'Recreation and hobbies', '趣味・レクリエーション'),
  c('fashion-beauty', 'productivity', 'Fashion and beauty', 'ファッション・美容'),
  c('vehicles', 'productivity', 'Vehicles', '自動車・乗り物'),
  c('real-estate', 'productivity', 'Real estate', '不動産'),
  c('humor', 'productivity', 'Humor', 'ユーモア'),
  c('advertising', 'productivity', 'Advertising and tracking', '広告・トラッキング'),
  // bandwidth
  c('streaming-media', 'bandwidth', 'Streaming media', 'ストリーミングメディア'),
  c('video-sharing', 'bandwidth', 'Video sharing', '動画共有'),
  c('internet-radio-tv', 'bandwidth', 'Internet radio and TV', 'インターネットラジオ・テレビ'),
  c('music', 'bandwidth', 'Music', '音楽'),
  c('photo-sharing', 'bandwidth', 'Photo sharing', '写真共有'),
  c('file-sharing', 'bandwidth', 'File sharing and online storage', 'ファイル共有・オンラインストレージ'),
  c('peer-to-peer', 'bandwidth', 'Peer-to-peer', 'P2P'),
  c('software-downloads', 'bandwidth', 'Software downloads', 'ソフトウェアダウンロード'),
  c('software-updates', 'bandwidth', 'Software updates', 'ソフトウェアアップデート'),
  c('web-conferencing', 'bandwidth', 'Web conferencing', 'Web会議'),
  c('internet-telephony', 'bandwidth', 'Internet telephony', 'インターネット電話'),
  // general
  c('search-engines', 'general', 'Search engines and portals', '検索エンジン・ポータル'),
  c('news', 'general', 'News and media', 'ニュース・メディア'),
  c('finance', 'general', 'Financial services', '金融'),
  c('cryptocurrency', 'general', 'Cryptocurrency', '暗号資産'),
  c('health', 'general', 'Health and medicine', '健康・医療'),
  c('education', 'general', 'Education', '教育'),
  c('kids', 'general', 'Kids', '子供向け'),
  c('government', 'general', 'Government', '政府・官公庁'),
  c('politics', 'general', 'Politics', '政治'),
  c('military', 'general', 'Military', '軍事'),
  c('religion', 'general', 'Religion', '宗教'),
  c('business', 'general', 'Business and economy', 'ビジネス・経済'),
  c('computers-internet', 'general', 'Computers and internet', 'コンピュータ・インターネット'),
  c('collaboration', 'general', 'Collaboration and office suites', 'グループウェア・オフィス'),
  c('ai-tools', 'general', 'Generative AI', '生成AI'),
  c('reference', 'general', 'Reference', '辞書・参考資料'),
  c('translation', 'general', 'Translation', '翻訳'),
  c('science', 'general', 'Science', '科学'),
  c('arts-culture', 'general', 'Arts and culture', '芸術・文化'),
  c('telecom', 'general', 'Telecommunications', '通信事業者'),
  c('web-hosting', 'general', 'Web hosting', 'Webホスティング'),
  c('content-delivery', 'general', 'Content delivery and infrastructure', 'CDN・インターネット基盤'),
  c('url-shorteners', 'general', 'URL shorteners', 'URL短縮'),
]);

const byId = new Map(URL_CATEGORIES.map((cat) => [cat.id, cat]));

export function urlCategory(id: string): UrlCategory | undefined {
  return byId.get(id);
}

export function isUrlCategoryId(id: string): boolean {
  return byId.has(id);
}

/** Custom categories from `--list <id>=<file>` follow the same id shape as the taxonomy. */
export const CATEGORY_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Categories the security features act on (default URL filtering rule; bot protection = cnc). */
export const SECURITY_THREAT_CATEGORIES: readonly string[] = Object.freeze(['malware', 'phishing', 'cnc', 'cryptomining']);
