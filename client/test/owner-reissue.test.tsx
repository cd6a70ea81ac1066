import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import type { AccessCode, CreateSessionResponse } from '@rubicon/shared';
import { afterOwnerReissue } from '../src/lobby/useSetupSummary.ts';
import { OwnerTokenCard, ReplaceOwnerToken } from '../src/facilitate/OwnerTokenCard.tsx';
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

  it('offers the control with what it does, and shows what it did', () => {
    const html = renderToStaticMarkup(<OwnerTokenCard access={() => {}} notice="done" />);
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
    const props = { onAsk: () => calls.push('ask'), onConfirm: () => calls.push('confirm'), onCancel: () => calls.push('cancel') };
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
  const props = { onAsk: () => undefined, onConfirm: () => undefined, onCancel: () => undefined };

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
