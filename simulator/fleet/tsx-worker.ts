/**
 * Worker threads of the simulator run TypeScript modules through tsx, as the main thread
 * does: the worker's entry is a small data: module that registers tsx and imports the file.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/** A worker entry (a .ts module URL), loaded through tsx like the rest of the simulator. */
export function tsxWorkerUrl(entry: URL): URL {
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(join(dirname(require.resolve("tsx/package.json")), "dist/esm/api/index.mjs")).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
