/**
 * Fit Markdown under one of GitHub's size limits without breaking what is
 * left: cut at a line break, close an open code fence and open <details>,
 * and say that the report was cut and where the whole of it is.
 */

export function truncateMarkdown(text: string, limit: number, note: string): string {
  if (text.length <= limit) return text;
  const tail = `\n\n> [!NOTE]\n> ${note}\n`;
  // Room for the note and for the closers that may be needed (a fence, some </details>).
  let cut = text.slice(0, Math.max(0, limit - tail.length - 200));
  const lastBreak = cut.lastIndexOf("\n");
  if (lastBreak > 0) cut = cut.slice(0, lastBreak);
  const closers: string[] = [];
  const fences = cut.split("\n").filter((line) => /^\s*```/.test(line)).length;
  if (fences % 2 === 1) closers.push("```");
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < open; i++) closers.push("", "</details>");
  const closed = closers.length > 0 ? `${cut}\n${closers.join("\n")}` : cut;
  return `${closed}${tail}`.slice(0, limit);
}
