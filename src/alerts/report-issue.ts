/**
 * `slo report --issue`: one "SLO report" issue per repository, its body
 * replaced by the latest report on every scheduled run. Found again by a
 * hidden marker in an issue slo opened, so a renamed title or an edited label
 * does not make a second, and an outsider's issue is never overwritten.
 */

import { ISSUE_LABEL, MARKER, REPORT_TITLE } from "../conventions.js";
import type { Issue, IssueApi } from "./issue-api.js";
import { fitBody } from "./issue-api.js";

export interface ReportIssueResult {
  issue: Issue;
  action: "created" | "updated";
}

export async function publishReportIssue(
  api: IssueApi,
  markdown: string,
): Promise<ReportIssueResult> {
  const body = fitBody(`${MARKER.reportIssue}\n${markdown}`);
  const found = (await api.listOpenIssues(ISSUE_LABEL.report)).filter(
    (i) => i.ours && i.body.includes(MARKER.reportIssue),
  );
  const [current, ...extra] = found;
  if (!current) {
    const issue = await api.createIssue({
      title: REPORT_TITLE,
      body,
      labels: [ISSUE_LABEL.report],
    });
    return { issue, action: "created" };
  }
  const issue = await api.updateIssue(current.number, { body });
  // Two schedules racing can each open one: keep the oldest.
  for (const duplicate of extra) {
    await api.createComment(duplicate.number, `Duplicate of #${current.number}.`);
    await api.updateIssue(duplicate.number, { state: "closed", stateReason: "not_planned" });
  }
  return { issue, action: "updated" };
}
