import { randomBytes } from 'node:crypto';

/** A sortable, unique run id: `20261127T164701Z-3f9a`. */
export function newRunId(
  now: Date = new Date(),
  random: () => string = () => randomBytes(2).toString('hex'),
): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${stamp}-${random()}`;
}
