import type { StateValue } from 'xstate';
import { deepFreeze } from '../deep-freeze.ts';
import { PHASES, type Phase } from './legality.ts';
import { copyContext, type TurnContext, type TurnEvent, type TurnInput, type TurnMachine } from './machine.ts';

/**
 * The turn machine's transitions as a table, derived from the XState
 * definition in machine.ts and applied without XState's interpreter.
 *
 * XState stays the one definition of the machine (its states, guards and
 * assignments; the diagrams and the model tests read it), but its generic
 * `transition()` (a macrostep over configurations, a context copy per
 * assignment, a fresh snapshot object per step) was most of the cost of an
 * event. The turn machine uses a small part of statecharts: nested compound
 * states, guarded transitions with parameters, entry actions, eventless
 * `always` transitions and a final state, with assignments as its only
 * actions. `compile` walks the machine's state nodes once, refuses anything
 * outside that part, and keeps per state node its entry actions and, per
 * event type, the candidate transitions in document order, with their exit and
 * entry paths worked out. Applying an event then follows XState's algorithm
 * for that subset: the first enabled transition from the active leaf upward,
 * its assignments and the entered states' entry assignments in order, then
 * eventless transitions until none is enabled. The guard and assignment
 * functions are the machine's own (`machine.implementations`), so the table
 * cannot disagree with the machine about what a transition does; the property
 * tests also run XState's own `transition` beside it on random games.
 */

/** The turn machine's state in a game: what XState's snapshot holds that the game reads. */
export interface TurnState {
  /** The active state, as XState writes it (e.g. `{ beats: { 'consulate-strike': 'planning' } }`). */
  readonly value: StateValue;
  readonly context: TurnContext;
  /** `done` once the final state (the debrief) is reached. */
  readonly status: 'active' | 'done';
  /** The phase tag of the active state. */
  readonly phase: Phase;
  /** The active leaf state node's id (e.g. `turn.beats.consulate-strike.planning`). */
  readonly stateId: string;
}

interface ActionRef {
  type: string;
  params: unknown;
}

type Args = { context: TurnContext; event: TurnEvent | InitEvent };
type Assigner = (args: Args, params: unknown) => Partial<TurnContext>;
type Guard = (args: Args, params: unknown) => boolean;
interface InitEvent {
  type: 'xstate.init';
  input: TurnInput;
}

interface Transition {
  guard: ActionRef | null;
  actions: ActionRef[];
  /** Null for a targetless transition (actions only, no state change). */
  path: { leaf: Node; enter: Node[] } | null;
}

interface Node {
  id: string;
  parent: Node | null;
  entry: ActionRef[];
  on: Map<string, Transition[]>;
  always: Transition[];
  /** For an atomic state: its value, phase and whether it is final. */
  leaf: { value: StateValue; phase: Phase; final: boolean } | null;
}

/** The parts of an XState state node this module reads (its public, documented properties). */
interface XNode {
  id: string;
  key: string;
  type: string;
  parent?: XNode;
  states: Record<string, XNode>;
  entry: readonly unknown[];
  exit: readonly unknown[];
  tags: readonly string[];
  history: unknown;
  on: Record<string, readonly XTransition[]>;
  always?: readonly XTransition[];
  initial?: { target: readonly XNode[] };
  invoke?: readonly unknown[];
  after?: readonly unknown[];
}
interface XTransition {
  guard?: unknown;
  actions: readonly unknown[];
  target?: readonly XNode[];
  reenter: boolean;
  source: XNode;
}

function unsupported(what: string): never {
  throw new Error(`the turn table does not support ${what}; extend turn-table.ts (and its equivalence test) first`);
}

function ref(x: unknown, what: string): ActionRef {
  if (typeof x === 'string') return { type: x, params: undefined };
  if (typeof x === 'object' && x !== null && 'type' in x && typeof x.type === 'string') {
    const params = 'params' in x ? x.params : undefined;
    if (typeof params === 'function') unsupported(`dynamic params (${what} ${x.type})`);
    return { type: x.type, params };
  }
  return unsupported(`an inline ${what}`);
}

function ancestors(n: XNode): XNode[] {
  const out: XNode[] = [];
  for (let p = n.parent; p; p = p.parent) out.push(p);
  return out;
}

function isDescendant(child: XNode, parent: XNode): boolean {
  return ancestors(child).includes(parent);
}

/** XState's transition domain: the source itself (a child target, no reentry) or the least common compound ancestor. */
function domainOf(t: XTransition, target: XNode): XNode | undefined {
  if (!t.reenter && (target === t.source || isDescendant(target, t.source))) return t.source;
  return ancestors(t.source).find((a) => isDescendant(target, a));
}

/** What is entered going from `domain` to `target`: its ancestors below the domain, itself, then its initial descendants. */
function entryPath(domain: XNode | undefined, target: XNode): XNode[] {
  const above = ancestors(target);
  const cut = domain ? above.indexOf(domain) : above.length;
  const path = [...above.slice(0, cut).reverse(), target];
  for (let n = target; n.type === 'compound'; ) {
    const next = n.initial?.target[0];
    if (!next || (n.initial?.target.length ?? 0) !== 1) unsupported(`state ${n.id} without a single initial state`);
    path.push(next);
    n = next;
  }
  return path;
}

function leafValue(n: XNode): StateValue {
  const keys = [...ancestors(n).reverse().slice(1).map((a) => a.key), n.key];
  let value: StateValue = keys.pop() ?? '';
  while (keys.length > 0) value = { [keys.pop() ?? '']: value };
  return deepFreeze(value);
}

export class TurnTable {
  private readonly nodes = new Map<string, Node>();
  private readonly assigners = new Map<string, Assigner>();
  private readonly guards = new Map<string, Guard>();
  private readonly root: Node;
  private readonly initialPath: Node[];

  constructor(private readonly machine: TurnMachine) {
    const impl = machine.implementations as { actions: Record<string, unknown>; guards: Record<string, unknown> };
    for (const [name, action] of Object.entries(impl.actions)) {
      // xstate's assign() keeps its assigner function as `assignment`: read once here, checked by the equivalence test.
      const assignment = typeof action === 'function' && 'assignment' in action ? action.assignment : undefined;
      if (typeof assignment !== 'function') unsupported(`action "${name}", which is not an assign() with a function`);
      this.assigners.set(name, assignment as Assigner);
    }
    for (const [name, guard] of Object.entries(impl.guards)) {
      if (typeof guard !== 'function') unsupported(`guard "${name}"`);
      this.guards.set(name, guard as Guard);
    }
    const xroot = machine.root as unknown as XNode;
    this.root = this.compileNode(xroot, null);
    const byId = new Map<XNode, Node>();
    const visit = (x: XNode) => {
      byId.set(x, this.nodes.get(x.id)!);
      for (const c of Object.values(x.states)) visit(c);
    };
    visit(xroot);
    const walk = (x: XNode) => {
      const node = byId.get(x)!;
      for (const [type, ts] of Object.entries(x.on)) node.on.set(type, ts.map((t) => this.compileTransition(t, byId)));
      node.always = (x.always ?? []).map((t) => this.compileTransition(t, byId));
      for (const c of Object.values(x.states)) walk(c);
    };
    walk(xroot);
    this.initialPath = entryPath(xroot, xroot).map((x) => byId.get(x)!);
  }

  private compileNode(x: XNode, parent: Node | null): Node {
    if (x.type !== 'compound' && x.type !== 'atomic' && x.type !== 'final') unsupported(`${x.type} state ${x.id}`);
    if (x.exit.length > 0) unsupported(`exit actions (state ${x.id})`);
    if (x.history) unsupported(`history (state ${x.id})`);
    if ((x.invoke?.length ?? 0) > 0 || (x.after?.length ?? 0) > 0) unsupported(`invoked actors or delays (state ${x.id})`);
    let leaf: Node['leaf'] = null;
    if (x.type !== 'compound') {
      const tags = [...ancestors(x).flatMap((a) => a.tags), ...x.tags];
      const phases = PHASES.filter((p) => tags.includes(p));
      if (phases.length !== 1) unsupported(`state ${x.id} with ${phases.length} phase tags`);
      if (x.type === 'final' && x.parent?.parent) unsupported(`a final state below the top level (${x.id})`);
      leaf = { value: leafValue(x), phase: phases[0]!, final: x.type === 'final' };
    }
    const node: Node = { id: x.id, parent, entry: x.entry.map((a) => ref(a, 'action')), on: new Map(), always: [], leaf };
    this.nodes.set(x.id, node);
    for (const child of Object.values(x.states)) this.compileNode(child, node);
    return node;
  }

  private compileTransition(t: XTransition, byId: Map<XNode, Node>): Transition {
    const guard = t.guard === undefined ? null : ref(t.guard, 'guard');
    if (guard && !this.guards.has(guard.type)) unsupported(`unknown guard "${guard.type}"`);
    const actions = t.actions.map((a) => ref(a, 'action'));
    for (const a of actions) if (!this.assigners.has(a.type)) unsupported(`unknown action "${a.type}"`);
    if (!t.target || t.target.length === 0) return { guard, actions, path: null };
    if (t.target.length !== 1) unsupported(`a transition with ${t.target.length} targets`);
    const target = t.target[0]!;
    const enter = entryPath(domainOf(t, target), target).map((x) => byId.get(x)!);
    const leaf = enter[enter.length - 1]!;
    for (const n of enter) for (const a of n.entry) if (!this.assigners.has(a.type)) unsupported(`unknown action "${a.type}"`);
    return { guard, actions, path: { leaf, enter } };
  }

  private holds(guard: ActionRef | null, context: TurnContext, event: TurnEvent | InitEvent): boolean {
    return guard === null || this.guards.get(guard.type)!({ context, event }, guard.params);
  }

  private run(actions: readonly ActionRef[], context: TurnContext, event: TurnEvent | InitEvent): TurnContext {
    let ctx = context;
    for (const a of actions) ctx = Object.assign(copyContext(ctx), this.assigners.get(a.type)!({ context: ctx, event }, a.params));
    return ctx;
  }

  /** One microstep: the transition's assignments, then the entry assignments of the states it enters. */
  private take(t: Transition, leaf: Node, context: TurnContext, event: TurnEvent | InitEvent): { leaf: Node; context: TurnContext } {
    let ctx = this.run(t.actions, context, event);
    if (!t.path) return { leaf, context: ctx };
    for (const n of t.path.enter) if (n.entry.length > 0) ctx = this.run(n.entry, ctx, event);
    return { leaf: t.path.leaf, context: ctx };
  }

  private select(list: readonly Transition[] | undefined, context: TurnContext, event: TurnEvent | InitEvent): Transition | null {
    if (list) for (const t of list) if (this.holds(t.guard, context, event)) return t;
    return null;
  }

  /** Eventless transitions from the active leaf upward, until none is enabled or the machine is done. */
  private settle(leaf: Node, context: TurnContext, event: TurnEvent | InitEvent): TurnState {
    let at = { leaf, context };
    for (;;) {
      if (at.leaf.leaf?.final) break;
      let chosen: Transition | null = null;
      for (let n: Node | null = at.leaf; n && !chosen; n = n.parent) chosen = this.select(n.always, at.context, event);
      if (!chosen) break;
      at = this.take(chosen, at.leaf, at.context, event);
    }
    return this.state(at.leaf, at.context);
  }

  private state(leaf: Node, context: TurnContext): TurnState {
    const l = leaf.leaf;
    if (!l) throw new Error(`the turn machine came to rest in compound state ${leaf.id}`);
    return { value: l.value, context, status: l.final ? 'done' : 'active', phase: l.phase, stateId: leaf.id };
  }

  private leafOf(state: TurnState): Node {
    const node = this.nodes.get(state.stateId);
    if (!node?.leaf) throw new Error(`no leaf state ${state.stateId}`);
    return node;
  }

  /** The machine's initial state for this input (XState's `getInitialSnapshot`). */
  initial(input: TurnInput): TurnState {
    const factory = (this.machine.config as { context?: unknown }).context;
    if (typeof factory !== 'function') unsupported('a machine without a context factory');
    const event: InitEvent = { type: 'xstate.init', input };
    let context = (factory as (a: { input: TurnInput }) => TurnContext)({ input });
    for (const n of this.initialPath) if (n.entry.length > 0) context = this.run(n.entry, context, event);
    return this.settle(this.initialPath[this.initialPath.length - 1]!, context, event);
  }

  /** The transition this event takes from this state, if any (XState's `snapshot.can`). */
  private enabled(state: TurnState, event: TurnEvent): { transition: Transition; leaf: Node } | null {
    if (state.status === 'done') return null;
    const leaf = this.leafOf(state);
    for (let n: Node | null = leaf; n; n = n.parent) {
      const t = this.select(n.on.get(event.type), state.context, event);
      if (t) return { transition: t, leaf };
    }
    return null;
  }

  can(state: TurnState, event: TurnEvent): boolean {
    return this.enabled(state, event) !== null;
  }

  /** Applies one event (XState's `transition`); an event no transition takes leaves the state as it was. */
  transition(state: TurnState, event: TurnEvent): TurnState {
    const found = this.enabled(state, event);
    if (!found) return state;
    const next = this.take(found.transition, found.leaf, state.context, event);
    return this.settle(next.leaf, next.context, event);
  }

  /** The state for a persisted value and context (XState's `resolveState`). */
  restore(value: StateValue, context: TurnContext): TurnState {
    for (const node of this.nodes.values()) if (node.leaf && sameValue(node.leaf.value, value)) return this.state(node, context);
    throw new Error(`the turn machine has no state ${JSON.stringify(value)}`);
  }
}

function sameValue(a: StateValue, b: StateValue): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && sameValue(a[k] as StateValue, b[k] as StateValue));
}
