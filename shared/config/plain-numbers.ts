/**
 * Plain decimal numbers only: no hex (`0x10`), exponent (`1e-9`), `Infinity` or `NaN`. Kept free
 * of zod so CLI argument parsing can use them without loading the config module.
 */
export const PLAIN_DECIMAL = /^-?\d{1,15}(\.\d{1,15})?$/;
export const PLAIN_INTEGER = /^-?\d{1,15}$/;
