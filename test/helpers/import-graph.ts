import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * The import graph of the source tree, from the import statements themselves: `import … from`,
 * `import '…'`, `export … from` and `import('…')`, each with its kind. Only relative imports of
 * repository files are edges; packages are left out. Used by test/architecture.test.ts.
 */

export type ImportKind = 'value' | 'type' | 'dynamic';

export interface ImportEdge {
  /** Repository path of the importing file, e.g. `services/cli/main.ts`. */
  readonly from: string;
  /** Repository path of the imported file (`.js` specifiers resolved to the `.ts` source). */
  readonly to: string;
  readonly kind: ImportKind;
}

export interface ParsedImport {
  readonly specifier: string;
  readonly kind: ImportKind;
}

/** Comments blanked (same length), so a commented-out import is not read as one. */
function withoutComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/[^\n]*/g, (m, lead: string) => lead + ' '.repeat(m.length - 1));
}

/** The import statements of one TypeScript source. */
export function parseImports(source: string): ParsedImport[] {
  const text = withoutComments(source);
  const found: ParsedImport[] = [];
  // Statements that start a line: import/export … from '…', and side-effect imports.
  const statement =
    /^[ \t]*(import|export)(\s+type)?\b([^;'"`]*?)\bfrom\s*(['"])([^'"]+)\4|^[ \t]*import\s*(['"])([^'"]+)\6/gm;
  for (const m of text.matchAll(statement)) {
    if (m[7] !== undefined) {
      found.push({ specifier: m[7], kind: 'value' });
      continue;
    }
    const clause = m[3] ?? '';
    // `import { type A, type B } from` is type-only too; one value name makes it a value import.
    const braces = /^\s*\{([^}]*)\}\s*$/.exec(clause)?.[1];
    const allTypes =
      braces !== undefined &&
      braces.trim() !== '' &&
      braces
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .every((n) => n.startsWith('type '));
    found.push({
      specifier: m[5] as string,
      kind: m[2] !== undefined || allTypes ? 'type' : 'value',
    });
  }
  for (const m of text.matchAll(/\bimport\(\s*(['"])([^'"]+)\1\s*\)/g))
    found.push({ specifier: m[2] as string, kind: 'dynamic' });
  return found;
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every relative import edge among the `.ts` files under `dirs` (repository paths). */
export function importGraph(root: string, dirs: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of dirs.flatMap((d) => sourceFiles(root, d))) {
    for (const { specifier, kind } of parseImports(readFileSync(join(root, file), 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(root, join(root, dirname(file), specifier)).replace(/\.js$/, '.ts');
      edges.push({ from: file, to: target, kind });
    }
  }
  return edges;
}

/** The import cycles (strongly connected components of more than one file, or a self-import). */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}
