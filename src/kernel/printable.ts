/**
 * Echoing user input in messages safely: at most `max` characters, and control
 * and format characters (newlines, ESC, NUL, bidi overrides, lone surrogates)
 * written as escapes, so that a hostile value can neither forge log lines nor
 * drive the terminal. Kept in single quotes, as barfill's messages quote values.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function printable(value: string, max = 60): string {
  const cut = value.length > max ? `${value.slice(0, max)}...` : value;
  return cut.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `printable`, in single quotes. */
export function quoted(value: string, max = 60): string {
  return `'${printable(value, max)}'`;
}
