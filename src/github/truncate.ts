/**
 * Fit Markdown under one of GitHub's size limits without breaking what is
 * left: cut at a line break, drop a <details> the cut left with nothing but
 * its summary, close an open code fence and open <details>, and say that the
 * report was cut and where the whole of it is. The last resort: reports are
 * fitted by their structure first (report/markdown-fit.ts).
 */

export function truncateMarkdown(text: string, limit: number, note: string): string {
  if (text.length <= limit) return text;
  const tail = `\n\n> [!NOTE]\n> ${note}\n`;
  // Room for the note and for the closers that may be needed (a fence, some </details>).
  let cut = text.slice(0, Math.max(0, limit - tail.length - 200));
  const lastBreak = cut.lastIndexOf("\n");
  if (lastBreak > 0) cut = cut.slice(0, lastBreak);
  cut = withoutEmptyDetails(cut);
  const closers: string[] = [];
  const fences = cut.split("\n").filter((line) => /^\s*```/.test(line)).length;
  if (fences % 2 === 1) closers.push("```");
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < open; i++) closers.push("", "</details>");
  const closed = closers.length > 0 ? `${cut}\n${closers.join("\n")}` : cut;
  return `${closed}${tail}`.slice(0, limit);
}

/** Without the open <details> at the end that holds no more than its summary (nested ones too). */
function withoutEmptyDetails(text: string): string {
  let out = text;
  for (;;) {
    const start = out.lastIndexOf("<details>");
    if (start < 0 || out.indexOf("</details>", start) >= 0) return out;
    const inside = out
      .slice(start + "<details>".length)
      .replace(/<summary>[^\n]*(<\/summary>)?/, "");
    if (inside.trim() !== "") return out;
    out = out.slice(0, start).replace(/\s+$/, "");
  }
}
