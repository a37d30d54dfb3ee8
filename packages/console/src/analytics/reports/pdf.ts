/**
 * Report PDF with pdfkit and the Noto Sans JP TTF from npm (no system font needed): a title
 * page header, then each section as a bar chart (drawn as rectangles) and a table.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { formatJst } from '../query/csv.js';
import { formatBytes, type ReportSection } from './sections.js';

const require = createRequire(import.meta.url);
export const FONT_REGULAR = path.join(path.dirname(require.resolve('@expo-google-fonts/noto-sans-jp/package.json')), '400Regular', 'NotoSansJP_400Regular.ttf');
export const FONT_BOLD = path.join(path.dirname(require.resolve('@expo-google-fonts/noto-sans-jp/package.json')), '700Bold', 'NotoSansJP_700Bold.ttf');

export interface ReportMeta {
  title: string;
  description?: string;
  tenantName: string;
  from: number;
  to: number;
  generatedAt: number;
  demo?: boolean;
}

const COLORS = ['#2f6db5', '#e07b39', '#3a9d5d', '#c94c4c', '#8a63b8', '#5aa7b5', '#b59a2f', '#7f7f7f'];

function cellText(v: string | number | undefined, unit?: 'bytes' | 'count'): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return unit === 'bytes' ? formatBytes(v) : v.toLocaleString('ja-JP');
  return v;
}

export function renderPdf(meta: ReportMeta, sections: ReportSection[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: meta.title, Author: 'Mamori', Subject: 'レポート' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('jp', FONT_REGULAR);
  doc.registerFont('jp-bold', FONT_BOLD);
  const width = doc.page.width - 80;

  doc.font('jp-bold').fontSize(20).fillColor('#000').text(meta.title);
  doc.moveDown(0.3);
  doc.font('jp').fontSize(10).fillColor('#333');
  doc.text(`テナント: ${meta.tenantName}`);
  doc.text(`レポート期間: ${formatJst(meta.from)} 〜 ${formatJst(meta.to)} (JST)`);
  doc.text(`生成日時: ${formatJst(meta.generatedAt)} (JST)`);
  if (meta.description) doc.text(`説明: ${meta.description}`);
  if (meta.demo) doc.fillColor('#c94c4c').text('※ このレポートはデモ用に生成されたデータを含みます (デモデータ)').fillColor('#333');
  doc.moveDown();

  for (const s of sections) {
    if (doc.y > doc.page.height - 200) doc.addPage();
    doc.font('jp-bold').fontSize(13).fillColor('#000').text(s.title, 40);
    doc.moveDown(0.3);
    const t = s.table;
    if (t.rows.length === 0) {
      doc.font('jp').fontSize(9).fillColor('#666').text('該当するデータはありません。');
      doc.moveDown();
      continue;
    }
    // bar chart
    if (t.barColumn) {
      const bar = t.columns.find((c) => c.key === t.barColumn)!;
      const labelCol = t.columns.find((c) => c.unit === undefined) ?? t.columns[0]!;
      const max = Math.max(1, ...t.rows.map((r) => Number(r[bar.key] ?? 0)));
      const labelW = 150;
      for (const [i, r] of t.rows.slice(0, 10).entries()) {
        if (doc.y > doc.page.height - 60) doc.addPage();
        const y = doc.y;
        const v = Number(r[bar.key] ?? 0);
        doc.font('jp').fontSize(8).fillColor('#333').text(String(r[labelCol.key] ?? '').slice(0, 40), 40, y, { width: labelW - 5, lineBreak: false, ellipsis: true });
        const w = Math.max(1, ((width - labelW - 70) * v) / max);
        doc.rect(40 + labelW, y + 1, w, 9).fill(COLORS[i % COLORS.length]!);
        doc.fillColor('#333').text(cellText(v, bar.unit), 40 + labelW + w + 4, y, { lineBreak: false });
        doc.y = y + 13;
      }
      doc.moveDown(0.5);
    }
    // table
    const colW = width / t.columns.length;
    const drawRow = (cells: string[], bold: boolean) => {
      if (doc.y > doc.page.height - 50) doc.addPage();
      const y = doc.y;
      doc.font(bold ? 'jp-bold' : 'jp').fontSize(8).fillColor('#000');
      cells.forEach((c, i) => doc.text(c, 40 + i * colW, y, { width: colW - 4, lineBreak: false, ellipsis: true }));
      doc.moveTo(40, y + 12).lineTo(40 + width, y + 12).lineWidth(0.3).strokeColor('#ccc').stroke();
      doc.y = y + 14;
    };
    drawRow(t.columns.map((c) => c.label), true);
    for (const r of t.rows) drawRow(t.columns.map((c) => cellText(r[c.key], c.unit)), false);
    doc.x = 40;
    doc.moveDown();
  }
  doc.end();
  return done;
}
