/** Plain text tables for a terminal: columns padded to their widest cell. */

export function renderTable(headers: readonly string[], rows: readonly string[][]): string[] {
  if (rows.length === 0) return ['  (none)'];
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `  ${cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()}`;
  return [line(headers), ...rows.map(line)];
}
