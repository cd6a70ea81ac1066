import { describe, expect, it } from 'vitest';
import { threadDeltas } from '../bench/fanout/thread-switches.ts';
import { parsePerfScript, preemptersOf } from '../bench/fanout/preemptions.ts';

describe('the fan-out bench: which thread switches, and who preempts it', () => {
  it('takes each thread over the window, a thread born inside it counted from zero', () => {
    const at = (voluntary: number, involuntary: number, ticks: number, name = 'MainThread') => ({ name, voluntary, involuntary, ticks });
    const a = new Map([[10, at(100, 50, 7)]]);
    const b = new Map([[12, at(4, 1, 2, 'V8Worker')], [10, at(130, 90, 9)]]);
    expect(threadDeltas(a, b)).toEqual([
      { tid: 10, name: 'MainThread', voluntary: 30, involuntary: 40, ticks: 2 },
      { tid: 12, name: 'V8Worker', voluntary: 4, involuntary: 1, ticks: 2 },
    ]);
  });

  it("counts the main thread's preemptions inside the window by who took the CPU: the harness forked after it, its own threads, others", () => {
    const sw = (t: string, prev: number, next: string, nextPid: number) =>
      `  ${t}: prev_comm=MainThread prev_pid=${prev} prev_prio=120 prev_state=R ==> next_comm=${next} next_pid=${nextPid} next_prio=120`;
    const text = [
      '  node  1/1  1.000000: PERF_RECORD_FORK(100:100):(1:1)',
      '  node  100/100  1.000100: PERF_RECORD_FORK(100:103):(100:100)',
      '  node  1/1  1.000200: PERF_RECORD_FORK(101:101):(1:1)',
      '  node  1/1  1.000300: PERF_RECORD_FORK(101:104):(101:101)',
      sw('1.5', 100, 'node', 101),
      sw('1.6', 100, 'node', 101),
      sw('1.7', 100, 'V8Worker', 103),
      sw('1.8', 100, 'node', 104),
      sw('1.9', 100, 'ksoftirqd/1', 24),
      sw('1.95', 101, 'node', 100),
      sw('3.5', 100, 'node', 101),
    ].join('\n');
    const window = { pid: 100, server: 'rubicon-server.mjs', node: 'v24', monotonicNs: ['1200000000', '3000000000'] as [string, string] };
    expect(preemptersOf(window, parsePerfScript(text))).toEqual([
      ['harness main thread', 2],
      ['own V8Worker', 1],
      ['harness helper', 1],
      ['ksoftirqd/N', 1],
    ]);
  });
});
