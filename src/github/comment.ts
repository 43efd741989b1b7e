/**
 * The sticky PR comment: one per PR (and comment id), found by a hidden
 * marker among the comments slo itself wrote, and edited in place on every
 * run. Two jobs racing may both create one; each re-lists after creating
 * and the newer twin gives way.
 */

import { MARKER } from "../conventions.js";
import type { GitHubClient } from "./client.js";
import { isAuthor, ownLogin } from "./identity.js";
import { truncateMarkdown } from "./truncate.js";

/** GitHub rejects a longer comment body with 422. */
export const COMMENT_LIMIT = 65_536;

export interface StickyCommentInput {
  owner: string;
  repo: string;
  issueNumber: number;
  /** tells several SLO sets on one PR apart */
  commentId: string;
  /** the hidden marker that finds it again (default: the gate's, MARKER.comment) */
  marker?: string | undefined;
  /**
   * The body, or the body fitted to the room the marker leaves, knowing the
   * body of the comment it replaces (null for a new one)
   */
  body: string | ((room: number, previous: string | null) => string);
  /** where the whole report is when the comment had to be cut */
  truncatedNote: string;
}

export interface StickyCommentResult {
  action: "created" | "updated";
  id: number;
  url: string | null;
}

export function markerOf(commentId: string): string {
  return MARKER.comment(commentId);
}

export async function upsertStickyComment(
  client: GitHubClient,
  input: StickyCommentInput,
): Promise<StickyCommentResult> {
  const marker = input.marker ?? markerOf(input.commentId);
  const where = { owner: input.owner, repo: input.repo };
  const existing = await listMarked(client, input, marker);
  const [keep, ...twins] = existing;
  const room = COMMENT_LIMIT - marker.length - 1;
  const text = typeof input.body === "string" ? input.body : input.body(room, keep?.body ?? null);
  const body = truncateMarkdown(`${marker}\n${text}`, COMMENT_LIMIT, input.truncatedNote);
  if (keep) {
    const { data } = await client.rest.issues.updateComment({
      ...where,
      comment_id: keep.id,
      body,
    });
    // Twins left by an earlier race.
    for (const twin of twins)
      await client.rest.issues.deleteComment({ ...where, comment_id: twin.id });
    return { action: "updated", id: data.id, url: data.html_url ?? null };
  }
  const { data: created } = await client.rest.issues.createComment({
    ...where,
    issue_number: input.issueNumber,
    body,
  });
  // What slo just wrote says who slo is.
  const after = await listMarked(client, input, marker, created.user?.login);
  const oldest = after[0];
  if (oldest && oldest.id !== created.id) {
    // Another job created one first: ours gives way and writes into theirs.
    await client.rest.issues.deleteComment({ ...where, comment_id: created.id });
    const { data } = await client.rest.issues.updateComment({
      ...where,
      comment_id: oldest.id,
      body,
    });
    return { action: "updated", id: data.id, url: data.html_url ?? null };
  }
  return { action: "created", id: created.id, url: created.html_url ?? null };
}

/**
 * slo's own comments that carry the marker, oldest first. Quoting one ("> <!-- ...")
 * does not count, nor does anyone else's: another user's comment is theirs, whatever it says.
 */
async function listMarked(
  client: GitHubClient,
  input: StickyCommentInput,
  marker: string,
  knownLogin?: string,
): Promise<{ id: number; body: string }[]> {
  const comments = await client.paginate(client.rest.issues.listComments, {
    owner: input.owner,
    repo: input.repo,
    issue_number: input.issueNumber,
    per_page: 100,
  });
  const marked = comments.flatMap((c) =>
    typeof c.body === "string" && c.body.startsWith(marker) ? [{ ...c, body: c.body }] : [],
  );
  // Who slo is costs a request or two: asked only when there is something to tell apart.
  if (marked.length === 0) return [];
  const login = knownLogin ?? (await ownLogin(client));
  return marked.filter((c) => isAuthor(login, c.user)).sort((a, b) => a.id - b.id);
}
