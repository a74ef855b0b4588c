// Builds the web pages into dist/web/<site>/: each site's main.ts bundled by esbuild (with
// its npm dependencies, so the page loads nothing from elsewhere at run time) beside its
// static files (index.html, *.css). Type checking is `tsc -p web/tsconfig.json`.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '..', 'dist', 'web');
const sites = [
  { name: 'agent', entry: 'main.ts', bundle: 'agent.js' },
  { name: 'board', entry: 'main.ts', bundle: 'board.js' },
];

for (const site of sites) {
  const src = path.join(here, site.name);
  const dest = path.join(out, site.name);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  await build({
    entryPoints: [path.join(src, site.entry)],
    outfile: path.join(dest, site.bundle),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'edge110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const file of await readdir(src)) {
    if (/\.(html|css|svg|png)$/.test(file))
      await copyFile(path.join(src, file), path.join(dest, file));
  }
}
