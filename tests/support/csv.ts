/**
 * RFC 4180 §2, strictly: records end with CRLF, fields holding a comma, a quote or a line break
 * are quoted, and a quote inside is doubled. Throws on anything else (a bare LF between
 * records, a stray quote), so a test that parses an export also checks its form.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error("unterminated quoted field");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
        if (text[i] === '"') throw new Error(`quote inside an unquoted field at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ",") {
      i++;
    } else if (text.startsWith("\r\n", i)) {
      records.push(record);
      record = [];
      i += 2;
    } else if (i < text.length) {
      throw new Error(`expected , or CRLF at ${i}, got ${JSON.stringify(text[i])}`);
    }
  }
  if (record.length > 0) throw new Error("the last record does not end with CRLF");
  return records;
}

/** The header and the records as objects keyed by it; throws when a record has another width. */
export function csvObjects(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...records] = parseCsv(text);
  if (!header) throw new Error("no header row");
  for (const [index, record] of records.entries()) {
    if (record.length !== header.length) throw new Error(`record ${index + 1} has ${record.length} fields, the header ${header.length}`);
  }
  return { header, rows: records.map((record) => Object.fromEntries(header.map((name, i) => [name, record[i]!]))) };
}
