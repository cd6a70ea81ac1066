import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { AccessCode, CreateSessionResponse } from '@rubicon/shared';
import { afterOwnerReissue } from '../src/lobby/useSetupSummary.ts';
import { OwnerTokenCard, ReplaceOwnerToken, startOnce } from '../src/facilitate/OwnerTokenCard.tsx';
import { loadCredential, rememberHostedSession, saveCredential } from '../src/net/storage.ts';

/** localStorage as the browser keeps it, for the storage module. */
function fakeStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    key: (i: number) => [...m.keys()][i] ?? null,
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, String(v)),
    removeItem: (k: string) => void m.delete(k),
    clear: () => m.clear(),
  };
}

const SESSION = 's1';
const created: CreateSessionResponse = { sessionId: SESSION, facilitatorToken: 'creator-old', codes: [], facilitatorCode: 'FACCODE1' };
const ownerAnswer: AccessCode = { key: 'owner', role: { kind: 'facilitator' }, code: null, generation: 1, token: 'creator-new' };

function reissue(answer: AccessCode = ownerAnswer): { notice: string; handed: string[] } {
  const handed: string[] = [];
  const notice = afterOwnerReissue(SESSION, answer, (t) => handed.push(t));
  return { notice, handed };
}

describe('re-issuing the creator’s token from Setup', () => {
  beforeEach(() => vi.stubGlobal('localStorage', fakeStorage()));
  afterEach(() => vi.unstubAllGlobals());

  it('keeps the new token and hands it to the screen when this browser created the session', () => {
    rememberHostedSession(created, 'T', 0);
    const { notice, handed } = reissue();
    expect(handed).toEqual(['creator-new']);
    expect(loadCredential(SESSION, 'facilitator')?.token).toBe('creator-new');
    expect(notice).toContain('This browser now uses the new one');
  });

  it('keeps a co-facilitator’s own token, even in a browser that created the session before redeeming the code', () => {
    rememberHostedSession(created, 'T', 0);
    saveCredential(SESSION, { token: 'cofac', role: { kind: 'facilitator' }, owner: false });
    const { notice, handed } = reissue();
    expect(handed).toEqual([]);
    expect(loadCredential(SESSION, 'facilitator')?.token).toBe('cofac');
    expect(notice).toContain('This browser’s access is unchanged');
  });

  it('keeps a token redeemed from a code in a browser that did not create the session, even one stored before `owner` was kept', () => {
    saveCredential(SESSION, { token: 'cofac', role: { kind: 'facilitator' } });
    expect(reissue().handed).toEqual([]);
    expect(loadCredential(SESSION, 'facilitator')?.token).toBe('cofac');
  });

  it('takes a creator’s credential stored before `owner` was kept as the creator’s, so the creator is not locked out', () => {
    rememberHostedSession(created, 'T', 0);
    saveCredential(SESSION, { token: 'creator-old', role: { kind: 'facilitator' } });
    expect(reissue().handed).toEqual(['creator-new']);
    expect(loadCredential(SESSION, 'facilitator')?.token).toBe('creator-new');
  });

  it('changes nothing when the answer carries no token', () => {
    rememberHostedSession(created, 'T', 0);
    const { token: _dropped, ...noToken } = ownerAnswer;
    expect(reissue(noToken).handed).toEqual([]);
    expect(loadCredential(SESSION, 'facilitator')?.token).toBe('creator-old');
  });

  it('keeps the later re-issue’s token when an earlier one’s answer comes last (two tabs, red team, 6 December)', () => {
    rememberHostedSession(created, 'T', 0);
    const later = reissue({ ...ownerAnswer, generation: 2, token: 'creator-2' });
    const earlier = reissue({ ...ownerAnswer, generation: 1, token: 'creator-1' });
    // The second re-issue (generation 2) ended the first one's token: the browser keeps generation 2's.
    expect(loadCredential(SESSION, 'facilitator')?.token).toBe('creator-2');
    expect([...later.handed, ...earlier.handed]).toEqual(['creator-2', 'creator-2']);
    // A later re-issue still replaces it.
    expect(reissue({ ...ownerAnswer, generation: 3, token: 'creator-3' }).handed).toEqual(['creator-3']);
    expect(loadCredential(SESSION, 'facilitator')?.token).toBe('creator-3');
  });

  it('offers the control with what it does, and shows what it did', () => {
    const html = renderToStaticMarkup(<OwnerTokenCard access={() => Promise.resolve()} notice="done" />);
    expect(html).toContain('data-testid="reissue-owner"');
    expect(html).toContain('stops working on every');
    expect(html).toMatch(/role="status"[^>]*>done</);
    // Nothing is asked or sent until the button is pressed.
    expect(html).not.toContain('reissue-owner-confirm');
  });
});

/** The props of the element with this data-testid in a rendered tree (the component called as a function, no DOM). */
function byTestId(node: unknown, id: string): Record<string, unknown> | null {
  if (Array.isArray(node)) return node.reduce<Record<string, unknown> | null>((found, n) => found ?? byTestId(n, id), null);
  if (node === null || typeof node !== 'object' || !('props' in node)) return null;
  const props = (node as { props: Record<string, unknown> }).props;
  return props['data-testid'] === id ? props : byTestId(props.children, id);
}

describe('replacing the creator’s token asks first', () => {
  const steps = () => {
    const calls: string[] = [];
    const props = { pending: false, onAsk: () => calls.push('ask'), onConfirm: () => calls.push('confirm'), onCancel: () => calls.push('cancel') };
    return { calls, props };
  };

  it('first offers only a button that asks, and sends nothing', () => {
    const { calls, props } = steps();
    const tree = ReplaceOwnerToken({ confirming: false, ...props });
    expect(byTestId(tree, 'reissue-owner-confirm')).toBeNull();
    (byTestId(tree, 'reissue-owner')!.onClick as () => void)();
    expect(calls).toEqual(['ask']);
  });

  it('then says that every other device holding the token is signed out, and sends only on "Replace it"', () => {
    const { calls, props } = steps();
    const html = renderToStaticMarkup(<ReplaceOwnerToken confirming {...props} />);
    expect(html).toMatch(/role="alert"[^>]*>[^<]*Every other device using this token[^<]*signed out/);
    expect(html).not.toContain('data-testid="reissue-owner"');
    const tree = ReplaceOwnerToken({ confirming: true, ...props });
    (byTestId(tree, 'reissue-owner-cancel')!.onClick as () => void)();
    (byTestId(tree, 'reissue-owner-confirm')!.onClick as () => void)();
    expect(calls).toEqual(['cancel', 'confirm']);
  });
});

describe('the confirmation cannot be reached by the click or key that asked (red team, 6 December)', () => {
  const props = { pending: false, onAsk: () => undefined, onConfirm: () => undefined, onCancel: () => undefined };

  it('puts the warning, not "Replace it", where the button was, and gives "Replace it" no focus', () => {
    // A double click's second click lands where the first did: on the warning, which does nothing.
    const html = renderToStaticMarkup(<ReplaceOwnerToken confirming {...props} />);
    expect(html.indexOf('role="alert"')).toBeGreaterThan(-1);
    expect(html.indexOf('data-testid="reissue-owner-confirm"')).toBeGreaterThan(-1);
    expect(html.indexOf('role="alert"')).toBeLessThan(html.indexOf('data-testid="reissue-owner-confirm"'));
    // A second Enter or Space goes to whatever has focus: never the button that replaces the token.
    const tree = ReplaceOwnerToken({ confirming: true, ...props });
    const confirm = byTestId(tree, 'reissue-owner-confirm')!;
    expect(confirm.autoFocus).toBeUndefined();
    expect(html).not.toMatch(/autofocus/i);
  });
});

describe('one re-issue at a time from the card (red team, 6 December)', () => {
  it('sends one request while one is in flight, and another once it is answered, refused or not', async () => {
    const flight = { current: false };
    const pending: boolean[] = [];
    const sent: { answer: () => void; refuse: () => void }[] = [];
    const send = () =>
      new Promise<void>((resolve, reject) => {
        sent.push({ answer: resolve, refuse: () => reject(new Error('refused')) });
      });
    expect(startOnce(flight, send, (p) => pending.push(p))).toBe(true);
    // "Replace…" and "Replace it" pressed again before the answer: nothing sent.
    expect(startOnce(flight, send, (p) => pending.push(p))).toBe(false);
    expect(sent).toHaveLength(1);
    expect(pending).toEqual([true]);
    sent[0]!.answer();
    await Promise.resolve();
    await Promise.resolve();
    expect(pending).toEqual([true, false]);
    expect(startOnce(flight, send, (p) => pending.push(p))).toBe(true);
    sent[1]!.refuse();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(pending).toEqual([true, false, true, false]);
    expect(startOnce(flight, send, (p) => pending.push(p))).toBe(true);
    expect(sent).toHaveLength(3);
  });

  it('disables the buttons, and says so, while the request is in flight', () => {
    const props = { pending: true, onAsk: () => undefined, onConfirm: () => undefined, onCancel: () => undefined };
    const asking = ReplaceOwnerToken({ confirming: false, ...props });
    expect(byTestId(asking, 'reissue-owner')!.disabled).toBe(true);
    expect(renderToStaticMarkup(<ReplaceOwnerToken confirming={false} {...props} />)).toContain('Replacing the facilitator token');
    const confirming = ReplaceOwnerToken({ confirming: true, ...props });
    expect(byTestId(confirming, 'reissue-owner-confirm')!.disabled).toBe(true);
    expect(byTestId(ReplaceOwnerToken({ confirming: false, ...props, pending: false }), 'reissue-owner')!.disabled).toBe(false);
  });
});
