import { describe, expect, it } from 'vitest';
import { buildCatalogue, CatalogueError, defaultCatalogue, readBundledSources } from './catalogue.js';

describe('bundled catalogue', () => {
  const cat = defaultCatalogue();

  it('holds at least 1,000 applications with unique ids', () => {
    expect(cat.apps.length).toBeGreaterThanOrEqual(1000);
    expect(new Set(cat.apps.map((a) => a.id)).size).toBe(cat.apps.length);
  });

  it('references only known categories and functions, with ja and en names', () => {
    const categories = new Set(cat.taxonomy.categories.map((c) => c.id));
    const functions = new Set(cat.taxonomy.functions.map((f) => f.id));
    for (const app of cat.apps) {
      expect(categories.has(app.category), app.id).toBe(true);
      for (const f of app.functions) expect(functions.has(f), `${app.id}:${f}`).toBe(true);
      expect(app.name.en.length).toBeGreaterThan(0);
      expect(app.name.ja.length).toBeGreaterThan(0);
      expect(app.risk).toBeGreaterThanOrEqual(1);
      expect(app.risk).toBeLessThanOrEqual(5);
    }
    for (const sig of cat.signatures) {
      const app = cat.byId.get(sig.app);
      expect(app, sig.app).toBeDefined();
      if (sig.function !== undefined) expect(app?.functions).toContain(sig.function);
    }
  });

  it('has the categories of the contract and the Japanese applications of the manual', () => {
    const categories = cat.taxonomy.categories.map((c) => c.id);
    for (const c of ['network-protocols', 'p2p', 'anonymizer', 'remote-access', 'file-sharing', 'social', 'messaging', 'streaming']) {
      expect(categories).toContain(c);
    }
    for (const id of ['dhcp', 'dns', 'ntp']) expect(cat.byId.get(id)?.category).toBe('network-protocols');
    const jp = ['line', 'chatwork', 'niconico', 'yahoo-japan', 'rakuten', 'pixiv', 'mixi', 'garoon', 'kintone', 'cybozu-office', 'freee',
      'money-forward', 'sansan', 'abema', 'tver', 'mercari', 'paypay', 'hatena', 'ameba', 'note', 'qiita', 'line-works'];
    for (const id of jp) expect(cat.byId.has(id), id).toBe(true);
    expect(cat.byId.get('line')?.functions).toEqual(expect.arrayContaining(['chat', 'call', 'upload']));
    expect(cat.byId.get('chatwork')?.name.ja).toBe('チャットワーク');
  });
});

describe('catalogue validation', () => {
  const base = readBundledSources();
  const tax = base.taxonomy;
  const app = (line: string) => ({ taxonomy: tax, apps: [{ name: 'x.tsv', text: line }], signatures: [] });

  it('rejects a wrong column count with the file and line', () => {
    expect(() => buildCatalogue(app('# c\nfoo\tsocial\t3\tFoo'))).toThrow(/x\.tsv:2: expected 9 tab-separated columns/);
  });
  it('rejects unknown categories, functions, bad ids, risks, ports and hosts', () => {
    const row = (over: Partial<Record<number, string>>) => {
      const cells = ['foo', 'social', '3', 'Foo', '-', 'login', 'foo.example', '-', '-'];
      for (const [k, v] of Object.entries(over)) cells[Number(k)] = v as string;
      return cells.join('\t');
    };
    expect(() => buildCatalogue(app(row({ 1: 'nope' })))).toThrow(/unknown category "nope"/);
    expect(() => buildCatalogue(app(row({ 5: 'login,teleport' })))).toThrow(/unknown function "teleport"/);
    expect(() => buildCatalogue(app(row({ 0: 'Foo_Bar' })))).toThrow(CatalogueError);
    expect(() => buildCatalogue(app(row({ 2: '9' })))).toThrow(/risk/);
    expect(() => buildCatalogue(app(row({ 7: 'tcp/99999' })))).toThrow(/port/);
    expect(() => buildCatalogue(app(row({ 7: 'sctp/5' })))).toThrow(/bad port spec/);
    expect(() => buildCatalogue(app(row({ 6: 'bad host!' })))).toThrow(/host pattern/);
  });
  it('rejects duplicate ids and a host owned by two apps', () => {
    const a = ['foo', 'social', '3', 'Foo', '-', 'login', 'foo.example', '-', '-'].join('\t');
    const b = ['bar', 'social', '3', 'Bar', '-', 'login', 'foo.example', '-', '-'].join('\t');
    expect(() => buildCatalogue(app(`${a}\n${a}`))).toThrow(/duplicate application id "foo"/);
    expect(() => buildCatalogue(app(`${a}\n${b}`))).toThrow(/already belongs to "foo"/);
  });
  it('rejects signatures for unknown apps or functions the app does not have', () => {
    const a = ['foo', 'social', '3', 'Foo', '-', 'login', 'foo.example', '-', '-'].join('\t');
    const sig = (line: string) => ({ taxonomy: tax, apps: [{ name: 'x.tsv', text: a }], signatures: [{ name: 'f.tsv', text: line }] });
    expect(() => buildCatalogue(sig('bar\tlogin\t-\t-\t-'))).toThrow(/f\.tsv:1: unknown application "bar"/);
    expect(() => buildCatalogue(sig('foo\tupload\t-\t-\t-'))).toThrow(/"upload" is not a function of "foo"/);
    expect(() => buildCatalogue(sig('foo\tlogin\t-\tPOST\t~(['))).toThrow(/bad path regex/);
    expect(() => buildCatalogue(sig('foo\t-\t-\t-\t/x'))).toThrow(/must name a host/);
  });
  it('rejects a taxonomy that is not JSON', () => {
    expect(() => buildCatalogue({ taxonomy: '{', apps: [], signatures: [] })).toThrow(/taxonomy: not JSON/);
  });
});
