/**
 * The system's reason codes in words for the people using the dashboard. The words are the app's
 * (`GET /api/reasons`, read once at start by main.ts), not kept here; an unknown code, or any code
 * before the texts arrived, is shown as is, never hidden.
 */
import type { ReasonTexts } from './contracts.js';
import type { ProblemDetails } from './problem.js';

let texts: ReasonTexts = {};

/** Uses the app's texts from now on (the answer of `GET /api/reasons`). */
export function useReasonTexts(reasons: ReasonTexts): void {
  texts = { ...reasons };
}

/** A reason code in words, e.g. `approval_expired` → "the approval deadline passed before anyone decided". */
export function describeReason(code: string): string {
  return Object.prototype.hasOwnProperty.call(texts, code) ? texts[code] : code.replace(/_/g, ' ');
}

/** A whole refusal in one sentence, for a status line: what failed, why, and the field issues if any. */
export function describeProblem(problem: ProblemDetails): string {
  const why = problem.code ? describeReason(problem.code) : undefined;
  const parts = [`${problem.title} (${problem.status})`];
  if (why) parts.push(why);
  if (problem.detail && problem.detail !== why) parts.push(problem.detail);
  let sentence = parts.join(': ');
  if (problem.errors && problem.errors.length > 0) {
    sentence += ` — ${problem.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}`;
  }
  return sentence.endsWith('.') ? sentence : `${sentence}.`;
}
