// Reads and runs a `.http` file (the request-file format of VS Code's REST Client and JetBrains
// IDEs) as far as docs/examples/container-service.http uses it: `@name = value` file variables,
// requests separated by `###` lines, `# @name` on a request, comments, `< ./file` bodies (also
// inside a multipart body, whose lines are joined by CRLF), `{{variable}}` and REST Client's
// `{{request.response.body.$.path}}` / `{{request.response.headers.Name}}` references.
import fs from 'node:fs';
import path from 'node:path';

export interface HttpFileRequest {
  readonly name: string | undefined;
  readonly method: string;
  /** The request line's target, variables not yet substituted. */
  readonly url: string;
  readonly headers: readonly (readonly [string, string])[];
  /** Body lines as written (file references not yet read). */
  readonly bodyLines: readonly string[];
}

export interface HttpFile {
  readonly variables: Readonly<Record<string, string>>;
  readonly requests: readonly HttpFileRequest[];
}

export interface HttpFileAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

const isComment = (line: string) => /^\s*(#|\/\/)/.test(line);

export function parseHttpFile(text: string): HttpFile {
  const variables: Record<string, string> = {};
  const requests: HttpFileRequest[] = [];
  const blocks = text.split(/\r?\n/).reduce<string[][]>(
    (all, line) => {
      if (line.startsWith('###')) all.push([]);
      else all[all.length - 1]!.push(line);
      return all;
    },
    [[]],
  );
  for (const block of blocks) {
    let name: string | undefined;
    let index = 0;
    for (; index < block.length; index++) {
      const line = block[index]!;
      const variable = /^@([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*$/.exec(line);
      const named = /^\s*(?:#|\/\/)\s*@name\s+(\S+)/.exec(line);
      if (variable) variables[variable[1]!] = variable[2]!;
      else if (named) name = named[1];
      else if (line.trim() !== '' && !isComment(line)) break;
    }
    if (index >= block.length) continue;
    const requestLine = /^([A-Z]+)\s+(\S+)(?:\s+HTTP\/[\d.]+)?\s*$/.exec(block[index]!);
    if (!requestLine) throw new Error(`not a request line: ${block[index]!}`);
    const headers: [string, string][] = [];
    for (index++; index < block.length && block[index]!.trim() !== ''; index++) {
      const line = block[index]!;
      if (isComment(line)) continue;
      const header = /^([^:\s]+):\s*(.*)$/.exec(line);
      if (!header) throw new Error(`not a header line: ${line}`);
      headers.push([header[1]!, header[2]!]);
    }
    const bodyLines = block.slice(index + 1);
    while (bodyLines.length > 0 && bodyLines[bodyLines.length - 1]!.trim() === '') bodyLines.pop();
    requests.push({ name, method: requestLine[1]!, url: requestLine[2]!, headers, bodyLines });
  }
  return { variables, requests };
}

/** `{{…}}` replaced from the variables and the answers of the named requests so far; an unknown one throws. */
export function substitute(text: string, variables: Readonly<Record<string, string>>, answers: ReadonlyMap<string, HttpFileAnswer>): string {
  return text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_whole, reference: string) => {
    if (Object.prototype.hasOwnProperty.call(variables, reference)) return substitute(variables[reference]!, variables, answers);
    const match = /^([A-Za-z0-9_-]+)\.response\.(body|headers)\.(.+)$/.exec(reference);
    const answer = match ? answers.get(match[1]!) : undefined;
    if (!match || !answer) throw new Error(`no value for {{${reference}}}`);
    if (match[2] === 'headers') {
      const value = answer.headers.get(match[3]!);
      if (value === null) throw new Error(`no header ${match[3]!} in the answer to ${match[1]!}`);
      return value;
    }
    const found = match[3]!
      .replace(/^\$\.?/, '')
      .split('.')
      .filter((key) => key !== '')
      .reduce<unknown>(
        (value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined),
        JSON.parse(answer.text),
      );
    if (found === undefined) throw new Error(`no ${match[3]!} in the answer to ${match[1]!}`);
    return typeof found === 'string' ? found : JSON.stringify(found);
  });
}

/** The request's body: its lines with `< ./file` lines replaced by the file's bytes (relative to `dir`). */
export function requestBody(request: HttpFileRequest, dir: string, substituteText: (text: string) => string): Buffer | undefined {
  if (request.bodyLines.length === 0) return undefined;
  const contentType = request.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  const lineBreak = contentType.startsWith('multipart/') ? '\r\n' : '\n';
  const parts = request.bodyLines.map((line) => {
    const file = /^<\s+(.+?)\s*$/.exec(line);
    return file ? fs.readFileSync(path.resolve(dir, file[1]!)) : Buffer.from(substituteText(line));
  });
  return Buffer.concat(parts.flatMap((part, index) => (index === 0 ? [part] : [Buffer.from(lineBreak), part])));
}

/** Sends the file's requests in order with `overrides` for its variables; `check` sees each answer before the next request. */
export async function runHttpFile(
  file: string,
  overrides: Readonly<Record<string, string>>,
  check: (request: HttpFileRequest, answer: HttpFileAnswer) => void,
): Promise<void> {
  const parsed = parseHttpFile(fs.readFileSync(file, 'utf8'));
  const variables = { ...parsed.variables, ...overrides };
  const answers = new Map<string, HttpFileAnswer>();
  const fill = (text: string) => substitute(text, variables, answers);
  for (const request of parsed.requests) {
    const headers = new Headers(request.headers.map(([name, value]) => [name, fill(value)]));
    const body = requestBody(request, path.dirname(file), fill);
    const response = await fetch(fill(request.url), { method: request.method, headers, ...(body ? { body } : {}) });
    const answer = { status: response.status, headers: response.headers, text: await response.text() };
    if (request.name !== undefined) answers.set(request.name, answer);
    check(request, answer);
  }
}
