/**
 * Brands that phishing imitates most (global and Japanese), as the registrable-domain label
 * they use. A look-alike is a different domain whose label's skeleton equals one of these.
 */
export const BRAND_LABELS: readonly string[] = Object.freeze([
  'google', 'gmail', 'youtube', 'apple', 'icloud', 'microsoft', 'office', 'outlook', 'hotmail', 'live',
  'onedrive', 'sharepoint', 'amazon', 'facebook', 'instagram', 'whatsapp', 'twitter', 'linkedin',
  'netflix', 'paypal', 'ebay', 'dropbox', 'adobe', 'docusign', 'github', 'binance', 'coinbase',
  'metamask', 'steampowered', 'steamcommunity', 'discord', 'telegram', 'chase', 'wellsfargo',
  'bankofamerica', 'citibank', 'americanexpress', 'mastercard', 'visa', 'hsbc', 'santander', 'dhl',
  'fedex', 'ups', 'usps', 'yahoo', 'rakuten', 'mercari', 'paypay', 'mufg', 'smbc', 'mizuhobank',
  'resonabank', 'jpbank', 'japanpost', 'aeon', 'docomo', 'softbank', 'kddi', 'sagawa', 'kuronekoyamato',
  'yamato', 'jcb', 'saisoncard', 'orico', 'bitflyer', 'coincheck', 'nintendo', 'playstation', 'line',
  'yodobashi', 'amazonaws', 'spotify', 'tiktok', 'roblox', 'epicgames', 'zoom', 'slack', 'chatwork',
  'cybozu', 'nttdocomo', 'ntt', 'etc-meisai', 'nta', 'mynumber', 'jremail', 'eki-net',
]);

export const BRAND_SET: ReadonlySet<string> = new Set(BRAND_LABELS);
