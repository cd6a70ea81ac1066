import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';

/**
 * A file written piece by piece as a run produces it, under `<path>.partial`
 * until `complete()` renames it, so a run that fails or is interrupted never
 * leaves a truncated file under the real name. Writes do not wait for the
 * disk: the caller's thread is free while workers play, so the stream
 * drains as fast as the pieces come.
 */
export class GrowingFile {
  private readonly stream: WriteStream;
  private failure: Error | null = null;

  constructor(private readonly path: string) {
    this.stream = createWriteStream(`${path}.partial`);
    // Kept for complete(): an unhandled stream error would end the process mid-run.
    this.stream.on('error', (err) => (this.failure ??= err));
  }

  write(text: string): void {
    if (text.length > 0 && !this.failure) this.stream.write(text);
  }

  async complete(): Promise<void> {
    this.stream.end();
    await finished(this.stream).catch((err: Error) => (this.failure ??= err));
    if (this.failure) throw this.failure;
    await rename(`${this.path}.partial`, this.path);
  }

  async discard(): Promise<void> {
    this.stream.destroy();
    await rm(`${this.path}.partial`, { force: true });
  }
}
