// What `\s` matches, as a char-code test for the scanners that replace backtracking
// regexes (a regex call per character would cost more than the scan itself).
export function isBlank(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279;
}
