/**
 * The few GitHub issue operations the alert and report issues need. The CLI
 * hands in an implementation over the shared Octokit client; tests may hand
 * in anything that keeps issues like GitHub does.
 *
 * Each issue and comment says whether slo wrote it (`ours`): markers are
 * trusted only there, as anyone can write one.
 */

export interface Issue {
  number: number;
  /** written by the identity slo posts as (the token's user or bot) */
  ours: boolean;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  url: string;
}

export interface IssueComment {
  id: number;
  /** written by the identity slo posts as (the token's user or bot) */
  ours: boolean;
  body: string;
}

export interface IssueApi {
  /** `owner/repo`, for messages */
  readonly repository: string;
  /** every open issue (not pull request) carrying the label, oldest first */
  listOpenIssues(label: string): Promise<Issue[]>;
  /** every comment of an issue, oldest first */
  listComments(issue: number): Promise<IssueComment[]>;
  createIssue(input: { title: string; body: string; labels: string[] }): Promise<Issue>;
  updateIssue(
    issue: number,
    patch: {
      title?: string;
      body?: string;
      state?: "open" | "closed";
      stateReason?: "completed" | "not_planned";
    },
  ): Promise<Issue>;
  createComment(issue: number, body: string): Promise<IssueComment>;
}

/** GitHub refuses bodies over 65536 characters: cut with a note, on a line boundary. */
export const MAX_BODY = 65_536;

export function fitBody(
  body: string,
  note = "\n\n_(truncated: the full report is too long for an issue)_\n",
): string {
  if (body.length <= MAX_BODY) return body;
  const room = MAX_BODY - note.length;
  const cut = body.lastIndexOf("\n", room);
  return `${body.slice(0, cut > 0 ? cut : room)}${note}`;
}
