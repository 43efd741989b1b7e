/**
 * Text from SLO files and logs goes into Markdown that GitHub renders: a name
 * with `*`, `|`, `<img>`, `@team` or `#12` in it must show as those characters,
 * not as emphasis, a broken table, HTML, a mention or a link.
 */

/** Control characters and the bidirectional overrides that can disguise text. */
const INVISIBLE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Inline text, safe in a paragraph, a heading, a table cell or a link text:
 * every ASCII punctuation character becomes a numeric character reference.
 * References are decoded after Markdown structure is parsed, so `&#124;` is a
 * `|` that never splits a table cell and `&#64;` an `@` that never mentions
 * anyone. Line breaks become spaces: one item stays on one line.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(INVISIBLE, "")
    .replace(/\r\n?|\n/g, " ")
    .replace(/[!-/:-@[-`{-~]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text inside HTML elements and attribute values (`<summary>`, `title=""`). */
export function escapeHtml(text: string): string {
  return text
    .replace(INVISIBLE, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Plain text for fields GitHub shows as text (check run titles, annotation
 * messages, commit status descriptions): no control characters, one line,
 * at most `max` characters.
 */
export function plainText(text: string, max: number): string {
  const flat = text.replace(INVISIBLE, "").replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * Names, log values and server messages reach the terminal: control
 * characters (newlines, escape sequences) are shown, not obeyed, so no
 * text can forge a line or hide the rest.
 */
export function escapeTerminal(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** A name on one line, without invisible characters: for chat text, where a line break could forge a message line. */
export function oneLine(text: string): string {
  return text.replace(INVISIBLE, "").replace(/[\r\n\t]+/g, " ");
}

/**
 * A link destination for Markdown, or null for anything but a web address
 * (`javascript:`, `data:`). Characters that could end the link, split a
 * table cell or read as an entity (`( ) < > | [ ] ' "`, backticks, spaces,
 * `&amp;`) are percent-encoded: the address reads the same to a browser.
 */
export function markdownUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  return parsed.href
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, "%26")
    .replace(/[^A-Za-z0-9\-._~:/?#@!$&+,;=%*]/gu, (c) =>
      c.charCodeAt(0) > 0x7f
        ? encodeURIComponent(c)
        : `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
    );
}
