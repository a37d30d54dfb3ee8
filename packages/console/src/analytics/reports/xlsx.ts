/** Report workbook (exceljs): a summary sheet with the report's facts, then one sheet per section. */
import ExcelJS from 'exceljs';
import { formatJst } from '../query/csv.js';
import type { ReportMeta } from './pdf.js';
import type { ReportSection } from './sections.js';

export async function renderXlsx(meta: ReportMeta, sections: ReportSection[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Mamori';
  wb.created = new Date(meta.generatedAt);
  const info = wb.addWorksheet('レポート');
  info.columns = [{ width: 18 }, { width: 60 }];
  info.addRow(['レポート名', meta.title]).font = { bold: true };
  info.addRow(['テナント', meta.tenantName]);
  info.addRow(['期間 (JST)', `${formatJst(meta.from)} 〜 ${formatJst(meta.to)}`]);
  info.addRow(['生成日時 (JST)', formatJst(meta.generatedAt)]);
  if (meta.description) info.addRow(['説明', meta.description]);
  if (meta.demo) info.addRow(['注意', 'デモ用に生成されたデータを含みます (デモデータ)']);
  const used = new Set<string>();
  for (const s of sections) {
    // sheet names: at most 31 characters, no []:*?/\ and unique
    let name = s.title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31);
    for (let i = 2; used.has(name); i++) name = `${s.title.slice(0, 27)} (${i})`;
    used.add(name);
    const ws = wb.addWorksheet(name);
    ws.columns = s.table.columns.map((c) => ({ header: c.unit === 'bytes' ? `${c.label} (バイト)` : c.label, key: c.key, width: c.unit ? 16 : 40 }));
    ws.getRow(1).font = { bold: true };
    for (const r of s.table.rows) ws.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
