import { isAlias, isCollection, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { checkScenario, formatPath, type ScenarioProblem } from './load.ts';
import type { Scenario } from './schema.ts';

/** A problem in a scenario file, placed at a line and column (both from 1). */
export interface ScenarioFileProblem {
  file: string;
  line: number;
  col: number;
  /** The key path into the scenario, e.g. `beats[2].actors[0].defaultMove`; empty for YAML syntax errors. */
  path: string;
  message: string;
}

export function formatFileProblem(p: ScenarioFileProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

export class ScenarioFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ScenarioFileProblem[],
  ) {
    super(`${file} is not a valid scenario:\n${problems.map(formatFileProblem).join('\n')}`);
    this.name = 'ScenarioFileError';
  }
}

export type ScenarioFileResult = { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioFileProblem[] };

/**
 * Reads a scenario from the text of a YAML file: YAML syntax, then the zod
 * schema, then the cross-checks of `checkScenario`. Every problem is placed at
 * the line of the YAML node it is about, so an author can jump to it. Pure: the
 * caller reads the file; `file` only names it in the problems.
 */
export function checkScenarioText(text: string, file: string): ScenarioFileResult {
  const lines = new LineCounter();
  const doc = scenarioDocument(text, lines);
  const at = (offset: number) => lines.linePos(offset);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ file, ...at(e.pos[0]), path: '', message: e.message.split('\n')[0] ?? e.message })),
    };
  }
  const result = checkScenario(documentData(doc));
  if (result.ok) return result;
  return { ok: false, problems: result.problems.map((p) => placeProblem(doc, at, file, p)) };
}

function scenarioDocument(text: string, lineCounter?: LineCounter): Document {
  return parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
}

function documentData(doc: Document): unknown {
  return doc.toJS({ maxAliasCount: 1000 });
}

/**
 * The plain data a scenario file's YAML holds, before any check: what
 * `checkScenarioText` gives the schema. For a file's parsed copy kept as JSON
 * (shared/node/scenario-cache.ts); throws on a YAML error.
 */
export function scenarioYamlData(text: string): unknown {
  const doc = scenarioDocument(text);
  if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0]?.message ?? ''}`);
  return documentData(doc);
}

/** Like `checkScenarioText`, but throws a `ScenarioFileError` listing every problem. */
export function parseScenarioText(text: string, file: string): Scenario {
  const result = checkScenarioText(text, file);
  if (!result.ok) throw new ScenarioFileError(file, result.problems);
  return result.scenario;
}

function placeProblem(
  doc: Document,
  at: (offset: number) => { line: number; col: number },
  file: string,
  p: ScenarioProblem,
): ScenarioFileProblem {
  // Walk down as far as the path exists: a missing key is reported at the map that lacks it.
  let offset = doc.contents && isNode(doc.contents) ? (doc.contents.range?.[0] ?? 0) : 0;
  let node: unknown = doc.contents;
  for (const key of p.path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (!isCollection(node)) break;
    let next: unknown;
    if (isSeq(node) && typeof key === 'number') next = node.items[key];
    else {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (isPair(pair)) {
        next = pair.value;
        if (isNode(pair.key) && pair.key.range) offset = pair.key.range[0];
      }
    }
    if (!isNode(next)) break;
    node = next;
    if (next.range) offset = next.range[0];
  }
  return { file, ...at(offset), path: formatPath(p.path), message: p.message };
}
