/**
 * What changed since the last run: previous state + current evaluation ->
 * changes. Pure: the notifiers read the previous state from the target (an
 * open issue, Alertmanager) or the state file, and deliver the changes.
 *
 * Keys whose SLO could not be evaluated are left alone: an alert whose
 * source is down is unknown, not resolved. Keys outside this run's SLOs (a
 * state file shared with other paths) are left alone too.
 */

export interface AlertValue {
  severity: string;
}

export type AlertChange<V extends AlertValue> =
  | { kind: "fired"; key: string; current: V }
  | { kind: "changed"; key: string; previous: V; current: V }
  | { kind: "unchanged"; key: string; previous: V; current: V }
  | { kind: "resolved"; key: string; previous: V };

export interface DiffScope {
  /** the keys this run evaluated and may change */
  inScope: ReadonlySet<string>;
  /** keys in scope whose SLO could not be evaluated */
  unknown: ReadonlySet<string>;
}

export function diffAlerts<V extends AlertValue>(
  previous: ReadonlyMap<string, V>,
  current: ReadonlyMap<string, V>,
  scope: DiffScope,
): AlertChange<V>[] {
  const changes: AlertChange<V>[] = [];
  const usable = (key: string) => scope.inScope.has(key) && !scope.unknown.has(key);
  for (const [key, now] of current) {
    if (!usable(key)) continue;
    const before = previous.get(key);
    if (!before) changes.push({ kind: "fired", key, current: now });
    else if (before.severity !== now.severity)
      changes.push({ kind: "changed", key, previous: before, current: now });
    else changes.push({ kind: "unchanged", key, previous: before, current: now });
  }
  for (const [key, before] of previous) {
    if (usable(key) && !current.has(key)) changes.push({ kind: "resolved", key, previous: before });
  }
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
