import { describe, expect, it } from 'vitest';
import { byOwner, groupEvents, ownerOf, parseMarks, summariseLog, type V8WindowEvent } from '../bench/fanout/v8-log-window.ts';

// Lines as V8 writes them (--log-code --log-deopt); times in µs from V8's start.
const LOG = [
  'v8-version,11,3,244,8,0,0',
  'code-creation,JS,10,1000,0x100,120,send /x/ws/lib/sender.js:351:7,0x9,~',
  'code-creation,JS,13,2000000,0x200,900,send /x/ws/lib/sender.js:351:7,0x9,*',
  'code-deopt,2500000,900,0x200,-1,12,deopt-eager,<\\x2Fx/ws/lib/sender.js:360:3>,wrong map',
  'code-creation,JS,13,5000000,0x300,700,followEach file:///b/rubicon-server.mjs:7344:13,0xa,*',
  // Moved by the GC before it deopts: the deopt names the new address.
  'code-move,0x300,0x380',
  "code-creation,JS,11,5600000,0x400,300,nextTick node:internal/process/task_queues:113:18,0xb,+'",
  'code-creation,JS,9,5700000,0x500,40,tiny node:x:1:1,0xc,^',
  'code-deopt,6000000,700,0x380,-1,40,dependency-change,<file:\\x2F\\x2F\\x2Fb/rubicon-server.mjs:7344:13>,weak objects',
  'code-creation,JS,13,9000000,0x600,100,late node:y:1:1,0xd,*',
].join('\n');

describe('the V8 log cut at the load window (v8-log-window.ts)', () => {
  it("reads each process's window from the marks, a later window of a pid replacing its earlier one", () => {
    const marks = parseMarks('11 start 1000.0\n11 end 2000.5\n12 start 30.0\n12 end 40.0\n11 start 3000.0\n11 end 4000.0\ngarbage\n');
    expect(marks).toEqual([
      { pid: '11', startMs: 3000, endMs: 4000 },
      { pid: '12', startMs: 30, endMs: 40 },
    ]);
  });

  it('counts what came before the window and lists what came in it, deopts named through code moves', () => {
    const summary = summariseLog(LOG, { pid: '1', startMs: 4000, endMs: 8000 });
    expect(summary.deoptsBefore).toBe(1);
    expect(summary.optimisedBefore).toBe(1);
    expect(summary.inWindow).toEqual([
      { atMs: 1000, kind: 'optimised', fn: 'followEach file:///b/rubicon-server.mjs:7344:13', detail: 'TurboFan' },
      { atMs: 1600, kind: 'optimised', fn: 'nextTick node:internal/process/task_queues:113:18', detail: 'Maglev' },
      { atMs: 2000, kind: 'deopt', fn: 'followEach file:///b/rubicon-server.mjs:7344:13', detail: 'dependency-change: weak objects' },
    ]);
  });

  it("names each function's owner: Rubicon's bundle or sources, bare's bundle, a package (scoped too), Node", () => {
    expect(ownerOf('followEach file:///tmp/x/1/rubicon-server.mjs:7344:13')).toBe('rubicon');
    expect(ownerOf('decide /w/server/src/batch.ts:3:1')).toBe('rubicon');
    expect(ownerOf('decode /w/shared/src/wire.ts:3:1')).toBe('rubicon');
    expect(ownerOf(' file:///tmp/x/0/bare-server.mjs:202:42')).toBe('bare');
    expect(ownerOf('send /w/node_modules/engine.io/build/transports/websocket.js:62:9')).toBe('engine.io');
    expect(ownerOf('encode /w/node_modules/@socket.io/component-emitter/lib/esm/index.js:1:1')).toBe('@socket.io/component-emitter');
    expect(ownerOf('nextTick node:internal/process/task_queues:103:18')).toBe('node');
    expect(ownerOf('(anonymous)')).toBe('other');
  });

  it('counts repeated deopts and compiles of one function by reason and tier, most frequent first, and tallies them by owner', () => {
    const at = (atMs: number, kind: V8WindowEvent['kind'], fn: string, detail: string): V8WindowEvent => ({ atMs, kind, fn, detail });
    const rubicon = 'senderCount file:///b/rubicon-server.mjs:2738:14';
    const ws = 'send /x/node_modules/ws/lib/sender.js:351:7';
    const events = [
      at(1, 'deopt', rubicon, 'deopt-eager: wrong map'),
      at(2, 'optimised', rubicon, 'TurboFan'),
      at(3, 'deopt', rubicon, 'deopt-eager: wrong map'),
      at(4, 'optimised', rubicon, 'TurboFan'),
      at(5, 'deopt', rubicon, 'deopt-eager: not a Smi'),
      at(6, 'optimised', rubicon, 'Maglev'),
      at(7, 'optimised', ws, 'TurboFan'),
      at(8, 'deopt', rubicon, 'deopt-eager: wrong map'),
    ];
    expect(groupEvents(events)).toEqual([
      { owner: 'rubicon', kind: 'deopt', fn: rubicon, detail: 'deopt-eager: wrong map', count: 3 },
      { owner: 'rubicon', kind: 'optimised', fn: rubicon, detail: 'TurboFan', count: 2 },
      { owner: 'rubicon', kind: 'deopt', fn: rubicon, detail: 'deopt-eager: not a Smi', count: 1 },
      { owner: 'rubicon', kind: 'optimised', fn: rubicon, detail: 'Maglev', count: 1 },
      { owner: 'ws', kind: 'optimised', fn: ws, detail: 'TurboFan', count: 1 },
    ]);
    expect(Object.fromEntries(byOwner(events))).toEqual({ rubicon: { deopts: 4, optimised: 3 }, ws: { deopts: 0, optimised: 1 } });
  });
});
