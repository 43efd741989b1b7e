/**
 * `slo report --issue`: one "SLO report" issue per repository, its body
 * replaced by the latest report on every scheduled run. Found again by a
 * hidden marker, so a renamed title or an edited label does not make a second.
 */

import type { Issue, IssueApi } from "./issue-api.js";
import { fitBody } from "./issue-api.js";

export const REPORT_LABEL = "slo-report";
export const REPORT_MARKER = "<!-- slo-report-issue -->";
export const REPORT_TITLE = "SLO report";

export interface ReportIssueResult {
  issue: Issue;
  action: "created" | "updated";
}

export async function publishReportIssue(
  api: IssueApi,
  markdown: string,
): Promise<ReportIssueResult> {
  const body = fitBody(`${REPORT_MARKER}\n${markdown}`);
  const found = (await api.listOpenIssues(REPORT_LABEL)).filter((i) =>
    i.body.includes(REPORT_MARKER),
  );
  const [current, ...extra] = found;
  if (!current) {
    const issue = await api.createIssue({ title: REPORT_TITLE, body, labels: [REPORT_LABEL] });
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
