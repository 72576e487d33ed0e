export * from './load-config.js';
export { renderConfigTable } from './render-table.js';
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_RATE,
  PLAIN_DECIMAL,
  PLAIN_INTEGER,
  SECRET_VARIABLES,
  type Section,
  VARIABLES,
} from './variables.js';
