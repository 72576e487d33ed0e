import { VARIABLES } from './variables.js';

/** The README's configuration table, rendered from the variable list so the two cannot drift. */
export function renderConfigTable(): string {
  const rows = VARIABLES.map(
    (v) => `| \`${v.name}\` | ${v.meaning} | ${v.required ? 'required' : (v.defaultText ?? '—')} |`,
  );
  return ['| variable | meaning | default |', '|---|---|---|', ...rows].join('\n');
}
