/**
 * Minimal multipart/form-data reader for /upload (two parts per file). Avoids a dependency;
 * Intuit's upload is the only multipart endpoint and its bodies are small.
 */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function parseMultipart(body: Buffer, contentTypeHeader: string): MultipartPart[] {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentTypeHeader);
  if (!match) return [];
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, afterDelimiter);
    if (next < 0) break;
    const section = body.subarray(afterDelimiter + 2, next - 2); // skip CRLF after delimiter and before next
    const headerEnd = section.indexOf("\r\n\r\n");
    if (headerEnd >= 0) {
      const headers = section.subarray(0, headerEnd).toString("utf8");
      const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? "";
      const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
      if (name !== undefined) {
        const part: MultipartPart = { name, data: section.subarray(headerEnd + 4) };
        const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
        if (filename !== undefined) part.filename = filename;
        const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim();
        if (contentType !== undefined) part.contentType = contentType;
        parts.push(part);
      }
    }
    start = next;
  }
  return parts;
}
