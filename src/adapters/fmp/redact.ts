/** Keeps the FMP API key out of every URL, message and log line. */

const APIKEY_PARAM = /([?&]apikey=)[^&#\s]*/gi;

/** Replaces the value of every `apikey=` query parameter with `***`. */
export function redactUrl(url: string): string {
  return url.replace(APIKEY_PARAM, '$1***');
}

/** Redacts `apikey=` parameters and every literal occurrence (raw or URL-encoded) of `secret`. */
export function scrubSecret(text: string, secret: string): string {
  let out = redactUrl(text);
  if (secret.length > 0) {
    out = out.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('***');
  }
  return out;
}
