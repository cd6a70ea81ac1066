import type { Plugin } from 'vite';
import type { OutputChunk } from 'rolldown';

/**
 * main.tsx starts the session's socket and then imports boot.tsx (React and
 * the screens). Named in index.html, that chunk, its imports and its styles
 * download beside the entry instead of after it has run.
 */
export function preloadBoot(): Plugin {
  return {
    name: 'rubicon-preload-boot',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((o): o is OutputChunk => o.type === 'chunk');
        const boot = chunks.find((c) => c.facadeModuleId?.endsWith('/src/boot.tsx'));
        if (!boot) throw new Error('preloadBoot: no chunk for src/boot.tsx');
        const files = new Set<string>();
        const css = new Set<string>();
        const visit = (chunk: OutputChunk) => {
          if (files.has(chunk.fileName)) return;
          files.add(chunk.fileName);
          for (const f of chunk.viteMetadata?.importedCss ?? []) css.add(f);
          for (const name of chunk.imports) {
            const next = chunks.find((c) => c.fileName === name);
            if (next) visit(next);
          }
        };
        visit(boot);
        const named = (f: string) => html.includes(`/${f}"`);
        return [
          ...[...files].filter((f) => !named(f)).map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${f}` }, injectTo: 'head' as const })),
          ...[...css].filter((f) => !named(f)).map((f) => ({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `/${f}` }, injectTo: 'head' as const })),
        ];
      },
    },
  };
}
