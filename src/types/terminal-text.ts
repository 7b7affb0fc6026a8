// Text a person reads in a terminal: one policy, in escape-terminal.ts (controls, C1
// and bidi overrides shown as visible escapes). `safe` is its short name.
export { terminalSafe as safe } from './escape-terminal.ts';
