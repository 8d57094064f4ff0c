import { faults } from "../faults.js";

/**
 * The subset of Intuit's query language QBO accepts: one entity, AND-only conditions, no
 * joins/OR/NOT. Keywords are case-insensitive (node-quickbooks sends them lower-case); strings
 * are single-quoted with `\'` as the escape.
 */
export type QueryValue = string | number | boolean;
export type Operator = "=" | "<" | ">" | "<=" | ">=" | "LIKE" | "IN";
export interface Condition {
  field: string;
  op: Operator;
  value: QueryValue | QueryValue[];
}
export interface ParsedQuery {
  entity: string;
  count: boolean;
  fields: string[] | "*";
  where: Condition[];
  orderBy: { field: string; desc: boolean }[];
  startPosition: number;
  maxResults: number | undefined;
}

type Token = { kind: "word" | "string" | "number" | "op" | "punct"; text: string; value?: QueryValue };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const ch = query[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === "'") {
      let text = "";
      i++;
      for (;;) {
        if (i >= query.length) throw faults.queryParse(`Unterminated string literal in "${query}"`);
        const c = query[i]!;
        if (c === "\\" && i + 1 < query.length) { text += query[i + 1]; i += 2; continue; }
        if (c === "'") { i++; break; }
        text += c;
        i++;
      }
      tokens.push({ kind: "string", text, value: text });
      continue;
    }
    const op = /^(<=|>=|=|<|>)/.exec(query.slice(i));
    if (op) { tokens.push({ kind: "op", text: op[0] }); i += op[0].length; continue; }
    if ("(),*".includes(ch)) { tokens.push({ kind: "punct", text: ch }); i++; continue; }
    const num = /^-?\d+(\.\d+)?(?![\w.])/.exec(query.slice(i));
    if (num) { tokens.push({ kind: "number", text: num[0], value: Number(num[0]) }); i += num[0].length; continue; }
    const word = /^[A-Za-z_][\w.]*/.exec(query.slice(i));
    if (!word) throw faults.queryParse(`Encountered " "${ch}" at column ${i + 1}`);
    tokens.push({ kind: "word", text: word[0] });
    i += word[0].length;
  }
  return tokens;
}

export function parseQuery(query: string): ParsedQuery {
  const tokens = tokenize(query);
  let pos = 0;
  const peek = () => tokens[pos];
  const isKeyword = (kw: string) => peek()?.kind === "word" && peek()!.text.toUpperCase() === kw;
  const expect = (kw: string) => {
    if (!isKeyword(kw)) throw faults.queryParse(`Expected ${kw} but found "${peek()?.text ?? "<EOF>"}"`);
    pos++;
  };
  const take = (kind: Token["kind"], what: string): Token => {
    const token = tokens[pos];
    if (!token || token.kind !== kind) throw faults.queryParse(`Expected ${what} but found "${token?.text ?? "<EOF>"}"`);
    pos++;
    return token;
  };
  const punct = (p: string) => { const t = take("punct", `"${p}"`); if (t.text !== p) throw faults.queryParse(`Expected "${p}" but found "${t.text}"`); };
  const literal = (): QueryValue => {
    const token = tokens[pos++];
    if (token?.kind === "string" || token?.kind === "number") return token.value!;
    if (token?.kind === "word" && /^(true|false)$/i.test(token.text)) return token.text.toLowerCase() === "true";
    throw faults.queryParse(`Expected a value but found "${token?.text ?? "<EOF>"}"`);
  };

  expect("SELECT");
  let count = false;
  let fields: string[] | "*" = "*";
  if (isKeyword("COUNT")) {
    pos++; punct("("); punct("*"); punct(")");
    count = true;
  } else if (peek()?.text === "*") {
    pos++;
  } else {
    fields = [take("word", "a field").text];
    while (peek()?.text === ",") { pos++; fields.push(take("word", "a field").text); }
  }
  expect("FROM");
  const entity = take("word", "an entity").text;
  const where: Condition[] = [];
  if (isKeyword("WHERE")) {
    pos++;
    do {
      if (where.length > 0) pos++; // the AND
      const field = take("word", "a field").text;
      if (isKeyword("IN")) {
        pos++; punct("(");
        const values = [literal()];
        while (peek()?.text === ",") { pos++; values.push(literal()); }
        punct(")");
        where.push({ field, op: "IN", value: values });
      } else if (isKeyword("LIKE")) {
        pos++;
        where.push({ field, op: "LIKE", value: literal() });
      } else {
        const op = take("op", "an operator").text as Operator;
        where.push({ field, op, value: literal() });
      }
    } while (isKeyword("AND"));
    if (isKeyword("OR")) throw faults.queryParse('Encountered " "OR" "OR "" — OR is not supported');
  }
  const orderBy: ParsedQuery["orderBy"] = [];
  if (isKeyword("ORDERBY") || isKeyword("ORDER")) {
    if (isKeyword("ORDER")) { pos++; expect("BY"); } else pos++;
    do {
      if (orderBy.length > 0) pos++; // the comma
      const field = take("word", "a field").text;
      let desc = false;
      if (isKeyword("DESC")) { desc = true; pos++; } else if (isKeyword("ASC")) pos++;
      orderBy.push({ field, desc });
    } while (peek()?.text === ",");
  }
  let startPosition = 1;
  let maxResults: number | undefined;
  for (;;) {
    if (isKeyword("STARTPOSITION")) { pos++; startPosition = Number(take("number", "a number").value); continue; }
    if (isKeyword("MAXRESULTS")) { pos++; maxResults = Number(take("number", "a number").value); continue; }
    break;
  }
  if (pos < tokens.length) throw faults.queryParse(`Encountered " "${tokens[pos]!.text}" " at token ${pos + 1}`);
  if (!Number.isInteger(startPosition) || startPosition < 1) throw faults.queryValidation(`STARTPOSITION must be a positive integer`);
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000)) {
    throw faults.queryValidation(`value ${maxResults} for MAXRESULTS is out of range. Max allowed value is 1000`);
  }
  return { entity, count, fields, where, orderBy, startPosition, maxResults };
}
