/**
 * What two V8 heap snapshots of one process differ by: the objects the later
 * one holds that the earlier did not (V8 keeps an object's snapshot id for
 * its lifetime, so a surviving object has the same id in both), grouped by
 * what they are and by where they hang from the older heap. Pure but for
 * reading the files; used by retained.ts.
 *
 * An object literal is named by its keys (`{id,seq,at,…}`), so a message, a
 * log entry and a game state are told apart though V8 calls each "Object";
 * a string, an array's backing store or another internal node is named by
 * the object and edge that hold it (`string ← {seq,at,by,commandId,command}.commandId`).
 */
import { readFileSync } from 'node:fs';

interface RawSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface Heap {
  count: number;
  type(i: number): string;
  name(i: number): string;
  id(i: number): number;
  selfSize(i: number): number;
  /** Outgoing edges of node i: [edge type, edge name, target node]. */
  edges(i: number): Iterable<[string, string, number]>;
  /** Retaining edges of node i: [edge type, edge name, source node]. */
  retainers(i: number): readonly [string, string, number][];
  /** Node index by snapshot id. */
  byId: Map<number, number>;
}

export function readHeap(file: string): Heap {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawSnapshot;
  const { meta } = raw.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const [nodeTypes] = meta.node_types;
  const [edgeTypes] = meta.edge_types;
  const T = meta.node_fields.indexOf('type');
  const N = meta.node_fields.indexOf('name');
  const I = meta.node_fields.indexOf('id');
  const S = meta.node_fields.indexOf('self_size');
  const C = meta.node_fields.indexOf('edge_count');
  const ET = meta.edge_fields.indexOf('type');
  const EN = meta.edge_fields.indexOf('name_or_index');
  const EF = meta.edge_fields.indexOf('to_node');
  const count = raw.nodes.length / nf;
  const firstEdge = new Int32Array(count + 1);
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e;
    e += (raw.nodes[i * nf + C] ?? 0) * ef;
  }
  firstEdge[count] = raw.edges.length;
  const edgeName = (e: number): string => {
    const type = edgeTypes[raw.edges[e + ET] ?? 0] ?? '?';
    const v = raw.edges[e + EN] ?? 0;
    return type === 'element' || type === 'hidden' ? String(v) : (raw.strings[v] ?? '?');
  };
  const retainers: [string, string, number][][] = Array.from({ length: count }, () => []);
  const byId = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    byId.set(raw.nodes[i * nf + I] ?? 0, i);
    for (let e = firstEdge[i] ?? 0; e < (firstEdge[i + 1] ?? 0); e += ef) {
      const to = (raw.edges[e + EF] ?? 0) / nf;
      retainers[to]?.push([edgeTypes[raw.edges[e + ET] ?? 0] ?? '?', edgeName(e), i]);
    }
  }
  return {
    count,
    byId,
    type: (i) => nodeTypes[raw.nodes[i * nf + T] ?? 0] ?? '?',
    name: (i) => raw.strings[raw.nodes[i * nf + N] ?? 0] ?? '?',
    id: (i) => raw.nodes[i * nf + I] ?? 0,
    selfSize: (i) => raw.nodes[i * nf + S] ?? 0,
    *edges(i) {
      for (let e = firstEdge[i] ?? 0; e < (firstEdge[i + 1] ?? 0); e += ef)
        yield [edgeTypes[raw.edges[e + ET] ?? 0] ?? '?', edgeName(e), (raw.edges[e + EF] ?? 0) / nf] as [string, string, number];
    },
    retainers: (i) => retainers[i] ?? [],
  };
}

/** An object's keys as its name (up to 8), the constructor's name for anything else. */
function shapeOf(heap: Heap, i: number): string {
  const type = heap.type(i);
  const name = heap.name(i);
  if (type !== 'object' || (name !== 'Object' && name !== '')) return type === 'object' || type === 'closure' ? name : `(${type}) ${name.slice(0, 40)}`;
  const keys: string[] = [];
  for (const [t, n] of heap.edges(i)) if (t === 'property' && !n.startsWith('<') && keys.length < 8) keys.push(n);
  return `{${keys.join(',')}}`;
}

/** The retainer that explains a node: a strong edge from something other than the snapshot's own roots. */
function mainRetainer(heap: Heap, i: number): [string, string, number] | null {
  let fallback: [string, string, number] | null = null;
  for (const r of heap.retainers(i)) {
    if (r[0] === 'weak') continue;
    const from = heap.name(r[2]);
    if (from.startsWith('(') || heap.type(r[2]) === 'synthetic') {
      fallback ??= r;
      continue;
    }
    return r;
  }
  return fallback;
}

/** What a node is, for grouping: an object by its shape, anything else by its holder's shape and the edge. */
export function kindOf(heap: Heap, i: number): string {
  const type = heap.type(i);
  if (type === 'object' || type === 'closure') return shapeOf(heap, i);
  const r = mainRetainer(heap, i);
  const base = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' ? type : `(${type}) ${heap.name(i).slice(0, 30)}`;
  return r ? `${base} ← ${shapeOf(heap, r[2])}.${r[1]}` : base;
}

export interface Group {
  key: string;
  count: number;
  bytes: number;
}

export interface HeapDiff {
  /** Sum of self sizes, later less earlier (what the later heap holds more, exactly). */
  grownBytes: number;
  newBytes: number;
  goneBytes: number;
  byKind: Group[];
  /** New nodes by the old node they hang from, walked up through new nodes (up to 12 steps). */
  byAnchor: Group[];
}

function tally(groups: Map<string, Group>, rawKey: string, bytes: number): void {
  // An array's elements (and a snapshot's numbered internal edges) by their kind, not one group per index.
  const key = rawKey.replace(/\.\d+\b/g, '.[]');
  const g = groups.get(key);
  if (g) {
    g.count++;
    g.bytes += bytes;
  } else groups.set(key, { key, count: 1, bytes });
}

/** The old node's own holders, two steps up: a bare "Array" or "Map" says little. */
function holderChain(heap: Heap, i: number): string {
  const names: string[] = [];
  let at = i;
  for (let step = 0; step < 2; step++) {
    const r = mainRetainer(heap, at);
    if (!r) break;
    names.push(`${shapeOf(heap, r[2])}.${r[1]}`);
    at = r[2];
  }
  return names.reverse().join(' → ');
}

/** Where a new node hangs from the earlier heap: the first old node up its chain of main retainers. */
function anchorOf(heap: Heap, i: number, isNew: (j: number) => boolean): string {
  let at = i;
  const path: string[] = [];
  for (let step = 0; step < 12; step++) {
    const r = mainRetainer(heap, at);
    if (!r) return `(unrooted) ${path.join(' ← ')}`;
    const [, edge, from] = r;
    if (!isNew(from)) return `${holderChain(heap, from)} → ${shapeOf(heap, from)}.${edge}${path.length ? ` → ${path.slice(-2).reverse().join(' → ')}` : ''}`;
    path.push(`${shapeOf(heap, from)}.${edge}`);
    at = from;
  }
  return `(deep) ${path.slice(-3).reverse().join(' → ')}`;
}

/**
 * The JavaScript heap only: Node's own (native, synthetic) nodes get new ids in every snapshot, and code and
 * shapes are the compiler's, not a message's.
 */
const COUNTED = new Set(['object', 'closure', 'array', 'string', 'concatenated string', 'sliced string', 'number', 'regexp', 'symbol', 'bigint']);
const counted = (heap: Heap, i: number): boolean => COUNTED.has(heap.type(i)) && !heap.name(i).startsWith('system /');

export function diffHeaps(before: Heap, after: Heap): HeapDiff {
  const isNew = (j: number) => !before.byId.has(after.id(j));
  const kinds = new Map<string, Group>();
  const anchors = new Map<string, Group>();
  let newBytes = 0;
  let total = 0;
  for (let i = 0; i < after.count; i++) {
    if (!counted(after, i)) continue;
    const size = after.selfSize(i);
    total += size;
    if (!isNew(i) || size === 0) continue;
    newBytes += size;
    tally(kinds, kindOf(after, i), size);
    tally(anchors, anchorOf(after, i, isNew), size);
  }
  let earlier = 0;
  for (let i = 0; i < before.count; i++) if (counted(before, i)) earlier += before.selfSize(i);
  const grownBytes = total - earlier;
  const sorted = (m: Map<string, Group>) => [...m.values()].sort((a, b) => b.bytes - a.bytes);
  return { grownBytes, newBytes, goneBytes: newBytes - grownBytes, byKind: sorted(kinds), byAnchor: sorted(anchors) };
}

/** Live strings of the heap that start with `prefix` (an encoded update kept alive, say), with their holders. */
export function stringsStartingWith(heap: Heap, prefix: string): { text: string; holder: string }[] {
  const out: { text: string; holder: string }[] = [];
  for (let i = 0; i < heap.count; i++) {
    if (heap.type(i) !== 'string' && heap.type(i) !== 'concatenated string') continue;
    const name = heap.name(i);
    if (!name.startsWith(prefix)) continue;
    const r = mainRetainer(heap, i);
    out.push({ text: name.slice(0, 80), holder: r ? `${shapeOf(heap, r[2])}.${r[1]}` : '(none)' });
  }
  return out;
}
