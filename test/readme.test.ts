import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigTable, VARIABLES } from '../shared/config/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('holds the configuration table rendered from the config schema', () => {
    const match = readme.match(/<!-- config:start -->\n([\s\S]*?)\n<!-- config:end -->/);
    expect(match?.[1]).toBe(renderConfigTable());
    for (const v of VARIABLES) expect(readme).toContain(`\`${v.name}\``);
  });

  it('states the two commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
  });
});
