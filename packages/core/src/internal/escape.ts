// How every string a snapshot shows is written (`renderSnapshot`, and `soonify ps`/`top`
// through `TaskGroup.escapeText`): a name or key from user input must not add lines,
// move the cursor or reverse the text in a terminal or a Unicode-aware viewer. Each
// character that could is written as a visible escape, JSON style (`\n`, `\u2028`); a
// backslash is doubled so that an escape and the same text typed by hand differ.

/**
 * What is escaped: the backslash; the controls (`\p{Cc}`: C0, DEL and C1, U+0000–U+001F
 * and U+007F–U+009F, with U+0085 NEXT LINE); the bidi controls (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069); the line and paragraph separators (U+2028, U+2029);
 * and lone surrogates, as `JSON.stringify` escapes them.
 */
const unsafe = /[\\\p{Cc}\p{Cs}\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu

const short: Record<string, string> = { "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" }

const escapeOne = (char: string): string => short[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`

/**
 * Whether `text` surely needs no escape: the common case (ASCII and Latin names), checked
 * without a regular expression, which keeps rendering as cheap as `JSON.stringify` was.
 */
const plain = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x5c || (code >= 0x7f && code <= 0x9f) || code >= 0x61c) return false
  }
  return true
}

/** `text` with every control, separator and bidi control written as a visible escape. */
export const escapeText = (text: string): string => (plain(text) ? text : text.replace(unsafe, escapeOne))

/** `text` escaped and in double quotes (a `"` inside escaped too): how the tree shows names and keys. */
export const quoted = (text: string): string =>
  plain(text) && !text.includes('"') ? `"${text}"` : `"${escapeText(text).replaceAll('"', '\\"')}"`
