import { describe, expect, it } from 'vitest';
import { parseMarks, summariseLog } from '../bench/fanout/v8-log-window.ts';

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
});
