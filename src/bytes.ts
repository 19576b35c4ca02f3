/** One megabyte (MiB), as every size bound of the configuration counts it. */
export const MEGABYTE = 1024 * 1024;

/** `3 MB`, `20.0 MB`: a size for a message, with this many decimals. */
export function formatMegabytes(bytes: number, decimals = 0): string {
  return `${(bytes / MEGABYTE).toFixed(decimals)} MB`;
}
