/**
 * CSV for spreadsheet users (RFC 4180): a UTF-8 BOM first, because Excel (notably zh-CN Excel)
 * reads a BOM-less file as the local code page and garbles Chinese; CRLF line ends; every cell
 * quoted when it holds a quote, comma or line break. Cells starting with = + - @ (or a tab or
 * CR) get a leading apostrophe so Excel and LibreOffice never evaluate them as formulas
 * (OWASP "CSV injection"): the text of a mention is attacker-controlled.
 */

/** The byte-order mark that opens every CSV file we serve. */
export const CSV_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: numbers as written (we produce them), strings guarded against formulas and quoted when needed. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** One line, CRLF-terminated. */
export function csvRow(cells: (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
