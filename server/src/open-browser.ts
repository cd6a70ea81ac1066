import { spawn } from 'node:child_process';

/**
 * `npm start` on a person's machine should land them in the game: open the
 * URL in their default browser. Only when a person is watching (a terminal,
 * not CI) and not turned off with OPEN_BROWSER=0; failure is harmless.
 */
export function openBrowser(url: string, env: Record<string, string | undefined>, interactive: boolean): boolean {
  if (!interactive || env.CI || env.OPEN_BROWSER === '0') return false;
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
