/** The bridge from bytes to the evaluator: each line of a reader handed to an Evaluator. */

import type { LineReaderEvents } from "../reading/line-events.js";
import type { Evaluator, EventTally } from "./evaluator.js";

/**
 * Reader events that give each line to the evaluator. atFileStart: the
 * reader starts at the beginning of the file, where a UTF-8 byte order mark
 * on the first line is dropped.
 */
export function evaluatorEvents(
  evaluator: Evaluator<EventTally>,
  display: string,
  atFileStart: boolean,
): LineReaderEvents {
  return {
    onLine(buf, start, end, lineNo) {
      const from =
        atFileStart && lineNo === 1 && hasByteOrderMark(buf, start, end) ? start + 3 : start;
      evaluator.lineBytes(buf, from, end, display, lineNo);
    },
    onLongLine(head, lineNo) {
      evaluator.tooLong(head.toString("utf8"), display, lineNo);
    },
  };
}

function hasByteOrderMark(buf: Buffer, start: number, end: number): boolean {
  return (
    end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf
  );
}
