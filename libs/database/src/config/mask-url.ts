const MASK = '***';

/** The URL with its password replaced, safe for logs and error messages; works on malformed input too. */
export function maskUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) {
      url.password = MASK;
      return url.toString();
    }
    return value;
  } catch {
    // Not parseable: hide whatever sits between "user:" and "@" after the scheme.
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@]*@/i, `$1${MASK}@`);
  }
}
