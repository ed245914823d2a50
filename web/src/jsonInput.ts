/** Reading JSON typed by a person (the raise-event body), with the parse error in words. */

export type JsonInput = { ok: true; value: unknown } | { ok: false; message: string };

/** Empty input means `null` (an event without data); anything else must be valid JSON. */
export function parseJsonInput(text: string): JsonInput {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `The event data is not valid JSON: ${reason}` };
  }
}
