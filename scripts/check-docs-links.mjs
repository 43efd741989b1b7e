#!/usr/bin/env node
// Checks every relative link and anchor in the project's Markdown: README.md,
// CONTRIBUTING.md and docs/*.md (or the files given as arguments). A link
// resolves when its file or folder exists and, for `#anchor`, when the target
// Markdown file has a heading with GitHub's slug for it (or an HTML id/name).
// Absolute URLs (https:, mailto:, ...) are not fetched. Exits 1 listing the
// broken links as file:line, 0 when every link resolves. Plain Node, no
// dependencies:
//   node scripts/check-docs-links.mjs [files...]

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function defaultFiles() {
  const files = ["README.md", "CONTRIBUTING.md"].map((f) => join(root, f)).filter(existsSync);
  const docs = join(root, "docs");
  if (existsSync(docs)) {
    for (const name of readdirSync(docs).sort()) {
      if (name.endsWith(".md")) files.push(join(docs, name));
    }
  }
  return files;
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(text) {
  const out = [];
  let fence = null;
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (m && m[1][0] === fence[0] && m[1].length >= fence.length && /^\s*[`~]+\s*$/.test(line)) {
        fence = null;
      }
      return;
    }
    if (m) {
      fence = m[1];
      return;
    }
    out.push({ line, number: i + 1 });
  });
  return out;
}

/** Inline code spans removed, so `[x](y)` inside backticks is not a link. */
function withoutCode(line) {
  return line.replace(/(`+)[\s\S]*?\1/g, (span) => " ".repeat(span.length));
}

/** GitHub's heading slug (github-slugger): lowercase, punctuation dropped, spaces to '-'. */
export function slug(heading) {
  const text = heading
    .replace(/<[^>]+>/g, "") // inline HTML
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/`+/g, "") // code spans: their text; emphasis marks go with the punctuation below
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

const anchorCache = new Map();

/** Every anchor a Markdown file defines: heading slugs (with -1, -2 for repeats) and HTML ids. */
function anchorsOf(file) {
  if (anchorCache.has(file)) return anchorCache.get(file);
  const anchors = new Set();
  const seen = new Map();
  const add = (base) => {
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  };
  const lines = proseLines(readFileSync(file, "utf8"));
  lines.forEach(({ line }, i) => {
    const atx = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$/.exec(line);
    if (atx) add(slug(atx[1]));
    else {
      const next = lines[i + 1];
      if (
        next &&
        next.number === lines[i].number + 1 &&
        line.trim() !== "" &&
        /^\s{0,3}(=+|-+)\s*$/.test(next.line) &&
        !/^\s{0,3}([-*+]\s|>|\|)/.test(line)
      ) {
        add(slug(line.trim()));
      }
    }
    for (const m of line.matchAll(/<[^>]+\s(?:id|name)=["']([^"']+)["']/g)) anchors.add(m[1]);
  });
  anchorCache.set(file, anchors);
  return anchors;
}

/** Every link target on a line: inline links and images, reference definitions, HTML href/src. */
function targetsOf(line) {
  const code = withoutCode(line);
  const out = [];
  const inline =
    /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
  for (const m of code.matchAll(inline)) out.push(m[1].replace(/^<|>$/g, ""));
  const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(code);
  if (definition) out.push(definition[1]);
  for (const m of code.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)=["']([^"']+)["']/gi))
    out.push(m[1]);
  return out;
}

function check(file, target) {
  if (target === "") return "empty link";
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) return null; // absolute
  const hash = target.indexOf("#");
  const pathPart = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
  let path;
  try {
    path = decodeURIComponent(pathPart.split("?")[0]);
  } catch {
    return "malformed percent-encoding";
  }
  const resolved =
    path === "" ? file : path.startsWith("/") ? join(root, path) : resolve(dirname(file), path);
  if (!existsSync(resolved)) return `no such file: ${relative(root, resolved) || "."}`;
  if (anchor === null) return null;
  if (anchor === "") return "empty anchor";
  if (statSync(resolved).isDirectory()) return `anchor on a folder: #${anchor}`;
  if (resolved.endsWith(".md")) {
    return anchorsOf(resolved).has(anchor)
      ? null
      : `no heading for #${anchor} in ${relative(root, resolved)}`;
  }
  // GitHub's line anchors on other files: #L10 or #L10-L20.
  const lines = /^L(\d+)(?:-L(\d+))?$/.exec(anchor);
  if (!lines) return `#${anchor} is not a line anchor (#L10) of ${relative(root, resolved)}`;
  const count = readFileSync(resolved, "utf8").split("\n").length;
  const last = Number(lines[2] ?? lines[1]);
  return last <= count ? null : `#${anchor} is past the end of ${relative(root, resolved)}`;
}

function main() {
  const files =
    process.argv.length > 2 ? process.argv.slice(2).map((f) => resolve(f)) : defaultFiles();
  const broken = [];
  let links = 0;
  for (const file of files) {
    if (!existsSync(file)) {
      broken.push(`${relative(root, file)}: no such file`);
      continue;
    }
    for (const { line, number } of proseLines(readFileSync(file, "utf8"))) {
      for (const target of targetsOf(line)) {
        links++;
        const problem = check(file, target);
        if (problem) broken.push(`${relative(root, file)}:${number}: (${target}) ${problem}`);
      }
    }
  }

  if (broken.length > 0) {
    console.error(`${broken.length} broken link(s) in ${files.length} file(s):`);
    for (const b of broken) console.error(`  ${b}`);
    process.exitCode = 1;
    return;
  }
  console.log(`${links} link(s) in ${files.length} file(s): all resolve`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
