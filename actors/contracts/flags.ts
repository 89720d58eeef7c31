/** The session machine's states (DESIGN §5). */
export const SESSION_STATES = ['scheduled', 'open', 'running', 'finishing', 'finished', 'official'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/**
 * The flag shown on track. `none` before the start; `yellow` is a local yellow (with sectors); `fcy` a full-course
 * yellow; `code-60` a slow zone.
 */
export const FLAGS = ['none', 'green', 'yellow', 'fcy', 'safety-car', 'code-60', 'red', 'white', 'checkered'] as const;
export type Flag = (typeof FLAGS)[number];
