/**
 * Rejects JavaScript that Espruino 2v29 cannot run, by parsing the bundle (TypeScript's
 * parser in JS mode) and walking the tree. Catches: `**`, `?.`, `??`, spread/rest,
 * async/await, generators, class fields, getters/setters, destructuring, computed keys,
 * labels, tagged templates, BigInt literals, private names, static blocks, optional catch
 * bindings, new.target/import.meta, references to globals Espruino lacks (Map, Symbol…),
 * static members Espruino lacks (Math.imul, Array.from…), and calls to a function before
 * its declaration has run (Espruino does not hoist function declarations), names that are
 * Espruino-only keywords (`of`), and named class expressions (Espruino does not bind the
 * name inside the class body).
 */
import * as ts from "typescript";
import { ESPRUINO_ONLY_KEYWORDS, ESPRUINO_STATICS, MISSING_GLOBALS } from "./espruino-api";

export interface Violation {
  line: number;
  column: number;
  what: string;
  text: string;
}

const MISSING = new Set<string>(MISSING_GLOBALS);

function isFunctionBoundary(n: ts.Node): boolean {
  return (
    ts.isFunctionDeclaration(n) ||
    ts.isFunctionExpression(n) ||
    ts.isArrowFunction(n) ||
    ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) ||
    ts.isClassDeclaration(n) ||
    ts.isClassExpression(n)
  );
}

/** True when the identifier names a property (a.x, {x: …}, a method or field), not a binding. */
function isPropertyName(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) return p.name === id;
  return (ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id;
}

/** True when the identifier is a value reference (not a property name or a declared name). */
function isReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if ((ts.isPropertyAccessExpression(p) && p.name === id) || (ts.isPropertyAssignment(p) && p.name === id)) return false;
  if ((ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === id) return false;
  if ((ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p)) && p.name === id) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p)) && p.name === id) return false;
  return true;
}

function syntaxViolation(n: ts.Node): string | undefined {
  if (ts.isBinaryExpression(n)) {
    const k = n.operatorToken.kind;
    if (k === ts.SyntaxKind.AsteriskAsteriskToken || k === ts.SyntaxKind.AsteriskAsteriskEqualsToken) return "** (exponent operator)";
    if (k === ts.SyntaxKind.QuestionQuestionToken || k === ts.SyntaxKind.QuestionQuestionEqualsToken) return "?? (nullish coalescing)";
    if (k === ts.SyntaxKind.BarBarEqualsToken || k === ts.SyntaxKind.AmpersandAmpersandEqualsToken) return "logical assignment";
    if (k === ts.SyntaxKind.EqualsToken && (ts.isObjectLiteralExpression(n.left) || ts.isArrayLiteralExpression(n.left))) {
      return "destructuring assignment";
    }
  }
  if ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) || ts.isCallExpression(n)) && n.questionDotToken) {
    return "?. (optional chaining)";
  }
  if (ts.isSpreadElement(n) || ts.isSpreadAssignment(n)) return "... (spread)";
  if ((ts.isParameter(n) || ts.isBindingElement(n)) && n.dotDotDotToken) return "... (rest)";
  if (ts.isObjectBindingPattern(n) || ts.isArrayBindingPattern(n)) return "destructuring";
  if (ts.canHaveModifiers(n) && ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return "async function";
  if (ts.isAwaitExpression(n)) return "await";
  if (ts.isYieldExpression(n)) return "yield";
  if ((ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n)) && n.asteriskToken) return "generator";
  if (ts.isPropertyDeclaration(n)) return "class field";
  if (ts.isGetAccessor(n) || ts.isSetAccessor(n)) return "getter/setter";
  if (ts.isComputedPropertyName(n)) return "computed property key";
  if (ts.isLabeledStatement(n)) return "label";
  if (ts.isTaggedTemplateExpression(n)) return "tagged template";
  if (ts.isBigIntLiteral(n)) return "BigInt literal";
  if (ts.isPrivateIdentifier(n)) return "private name (#x)";
  if (ts.isClassStaticBlockDeclaration(n)) return "class static block";
  if (ts.isCatchClause(n) && n.variableDeclaration === undefined) return "catch without a binding";
  if (ts.isMetaProperty(n)) return "new.target / import.meta";
  if (n.kind === ts.SyntaxKind.ImportKeyword || ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isExportAssignment(n)) {
    return "module syntax";
  }
  if (ts.isIdentifier(n) && MISSING.has(n.text) && isReference(n)) return `${n.text} (not on Espruino)`;
  if (ts.isIdentifier(n) && ESPRUINO_ONLY_KEYWORDS.includes(n.text) && !isPropertyName(n)) return `'${n.text}' as a name (a keyword on Espruino)`;
  if (ts.isClassExpression(n) && n.name !== undefined) return "named class expression (Espruino does not bind its name inside the class)";
  if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && ts.isIdentifier(n.name)) {
    const members = ESPRUINO_STATICS[n.expression.text];
    if (members !== undefined && !members.includes(n.name.text) && !["prototype", "name", "length"].includes(n.name.text)) {
      return `${n.expression.text}.${n.name.text} (not on Espruino)`;
    }
  }
  return undefined;
}

/** The statements of the bundle's IIFE, or the file's own statements when there is none. */
function scopeStatements(sf: ts.SourceFile): readonly ts.Statement[] {
  for (const st of sf.statements) {
    if (ts.isExpressionStatement(st) && ts.isCallExpression(st.expression)) {
      let callee: ts.Expression = st.expression.expression;
      while (ts.isParenthesizedExpression(callee)) callee = callee.expression;
      if ((ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) && ts.isBlock(callee.body)) {
        return callee.body.statements;
      }
    }
  }
  return sf.statements;
}

/** Identifiers a piece of code references when it runs now (not inside nested functions). */
function directReferences(node: ts.Node, out: ts.Identifier[]): void {
  const visit = (n: ts.Node): void => {
    if (n !== node && isFunctionBoundary(n)) {
      // A class body runs at definition only for its extends clause; methods run later.
      if ((ts.isClassDeclaration(n) || ts.isClassExpression(n)) && n.heritageClauses) {
        n.heritageClauses.forEach((h) => ts.forEachChild(h, visit));
      }
      return;
    }
    if (ts.isIdentifier(n) && isReference(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  if (ts.isFunctionDeclaration(node) && node.body) {
    ts.forEachChild(node.body, visit);
  } else {
    visit(node);
  }
}

/** Calls (direct or through other functions) of a function declared further down. */
function hoistingViolations(sf: ts.SourceFile, report: (n: ts.Node, what: string) => void): void {
  const statements = scopeStatements(sf);
  const declaredAt = new Map<string, number>();
  const decls = new Map<string, ts.FunctionDeclaration>();
  statements.forEach((st, i) => {
    if (ts.isFunctionDeclaration(st) && st.name) {
      declaredAt.set(st.name.text, i);
      decls.set(st.name.text, st);
    }
  });
  statements.forEach((st, i) => {
    if (ts.isFunctionDeclaration(st)) return;
    const seen = new Set<string>();
    const work: ts.Identifier[] = [];
    directReferences(st, work);
    while (work.length > 0) {
      const id = work.pop() as ts.Identifier;
      const at = declaredAt.get(id.text);
      if (at === undefined || seen.has(id.text)) continue;
      seen.add(id.text);
      if (at > i) {
        report(id, `${id.text} used before its declaration has run (no hoisting on Espruino)`);
        continue;
      }
      directReferences(decls.get(id.text) as ts.FunctionDeclaration, work);
    }
  });
}

/** All violations in a JavaScript text, in source order. */
export function checkEspruinoSyntax(code: string, fileName = "bundle.js"): Violation[] {
  const sf = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const out: Violation[] = [];
  const report = (n: ts.Node, what: string): void => {
    const start = n.getStart(sf);
    const lc = sf.getLineAndCharacterOfPosition(start);
    const line = code.split("\n")[lc.line] ?? "";
    out.push({ line: lc.line + 1, column: lc.character + 1, what, text: line.trim().slice(0, 100) });
  };
  const parseErrors = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics ?? [];
  for (const d of parseErrors) {
    const lc = sf.getLineAndCharacterOfPosition(d.start ?? 0);
    out.push({ line: lc.line + 1, column: lc.character + 1, what: `syntax error: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`, text: "" });
  }
  const visit = (n: ts.Node): void => {
    const what = syntaxViolation(n);
    if (what !== undefined) report(n, what);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  hoistingViolations(sf, report);
  out.sort((a, b) => a.line - b.line || a.column - b.column);
  return out;
}

export function formatViolations(file: string, vs: Violation[]): string {
  return vs.map((v) => `${file}:${v.line}:${v.column}: ${v.what}${v.text ? `\n    ${v.text}` : ""}`).join("\n");
}
