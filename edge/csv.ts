// RFC 4180 CSV: reading records with the line each starts on, and quoting one field for writing.

/** RFC 4180 records (quoted fields, "" escapes, CRLF or LF ends) with the line each starts on; blank lines are skipped. */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] | { error: string; line: number } {
  const records: { line: number; fields: string[] }[] = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let startLine = 1
  let fieldStarted = false
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const endRecord = () => {
    fields.push(field)
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ line: startLine, fields })
    fields = []
    field = ''
    fieldStarted = false
  }
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') { field += '"'; i++ }
      else if (ch === '"') quoted = false
      else { if (ch === '\n') line++; field += ch }
      continue
    }
    if (ch === '"') {
      if (field !== '') return { error: 'a quote inside an unquoted field', line }
      quoted = true
      fieldStarted = true
    } else if (ch === ',') { fields.push(field); field = ''; fieldStarted = true }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++
      endRecord()
      line++
      startLine = line
    } else field += ch
  }
  if (quoted) return { error: 'an unterminated quoted field', line: startLine }
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord()
  return records
}

/** One RFC 4180 text field, quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}
