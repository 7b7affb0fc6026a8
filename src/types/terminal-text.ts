// Text a person reads in a terminal. Process names and paths come from the traced
// system and are attacker-controlled: control characters are escaped so they cannot
// move the cursor or recolour the terminal.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function safe(s: string): string {
  return s.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
