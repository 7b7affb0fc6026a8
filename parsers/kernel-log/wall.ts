// Wall-clock times of kernel-log lines (syslog, journalctl, `dmesg -T`, ISO stamps)
// as integer nanoseconds on a clock of their own (the log's wall clock, UTC of the
// printed digits; a printed zone offset is applied). They are never the trace clock:
// durations inside one log are right, alignment with a trace needs an anchor.
//
// Year-less syslog stamps (`Nov 22 08:56:09`) start in year 2000 (a leap year, so
// Feb 29 exists) and move to the next year when the month goes back by more than
// six months (December → January): a log that crosses New Year keeps its durations.

/** Month number (1-12) by lower-cased name or abbreviation, in the locales dmesg -T and syslog print. */
const MONTHS = new Map<string, number>();
const NAMES: string[][] = [
  ['jan', 'january', 'januar', 'janv', 'janvier', 'ene', 'enero', 'gen', 'gennaio', 'jan.', 'janv.', 'janeiro', 'januari', 'sty', 'led', 'янв'],
  ['feb', 'february', 'februar', 'févr', 'février', 'fevr', 'feb.', 'févr.', 'febrero', 'febbraio', 'fev', 'fevereiro', 'februari', 'lut', 'úno', 'фев'],
  ['mar', 'march', 'mär', 'märz', 'mars', 'marzo', 'mrt', 'maart', 'março', 'mrz', 'bře', 'мар'],
  ['apr', 'april', 'avr', 'avril', 'abr', 'abril', 'aprile', 'avr.', 'kwi', 'dub', 'апр'],
  ['may', 'mai', 'mayo', 'mag', 'maggio', 'mei', 'maio', 'maj', 'kvě', 'май', 'мая'],
  ['jun', 'june', 'juni', 'juin', 'junio', 'giu', 'giugno', 'junho', 'cze', 'čvn', 'июн'],
  ['jul', 'july', 'juli', 'juil', 'juillet', 'juil.', 'julio', 'lug', 'luglio', 'julho', 'lip', 'čvc', 'июл'],
  ['aug', 'august', 'août', 'aout', 'ago', 'agosto', 'aug.', 'sie', 'srp', 'авг'],
  ['sep', 'september', 'sept', 'septembre', 'sept.', 'set', 'settembre', 'septiembre', 'setembro', 'wrz', 'zář', 'сен'],
  ['oct', 'october', 'okt', 'oktober', 'octobre', 'oct.', 'octubre', 'ott', 'ottobre', 'out', 'outubro', 'paź', 'říj', 'окт'],
  ['nov', 'november', 'novembre', 'nov.', 'noviembre', 'novembro', 'lis', 'ноя'],
  ['dec', 'december', 'dez', 'dezember', 'déc', 'décembre', 'dec.', 'déc.', 'dic', 'diciembre', 'dicembre', 'dezembro', 'gru', 'pro', 'дек'],
];
NAMES.forEach((names, i) => names.forEach((n) => MONTHS.set(n, i + 1)));

/** Month of a printed month token: a name in a known locale, or digits (`12月`, `12.`). */
export function monthOf(token: string): number | undefined {
  // Lines are read as latin1 (byte offsets); a UTF-8 month name (`déc.`) is decoded here.
  const u = /[\u0080-\u00ff]/.test(token) ? Buffer.from(token, 'latin1').toString('utf8') : token;
  const t = u.toLowerCase();
  const m = MONTHS.get(t) ?? MONTHS.get(t.replace(/\.$/, ''));
  if (m !== undefined) return m;
  const d = /^(\d{1,2})/.exec(t);
  if (d) {
    const n = Number(d[1]);
    if (n >= 1 && n <= 12) return n;
  }
  return undefined;
}

const NS_PER_MS = 1_000_000n;

/** Nanoseconds of a UTC calendar time, with a fraction given as its printed digits. */
export function wallNs(year: number, month: number, day: number, h: number, m: number, s: number, frac = '', offsetMin = 0): bigint | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return undefined;
  const ms = Date.UTC(year, month - 1, day, h, m, s) - offsetMin * 60_000;
  if (!Number.isFinite(ms)) return undefined;
  const f = frac ? BigInt(frac.slice(0, 9).padEnd(9, '0')) : 0n;
  return BigInt(ms) * NS_PER_MS + f;
}

/** `+0200`, `+02:00`, `-05`, `Z`, `UTC` → minutes east of UTC; other zone names → undefined (taken as UTC). */
export function zoneOffset(z: string | undefined): number {
  if (!z || z === 'Z' || z === 'UTC' || z === 'GMT') return 0;
  const m = /^([+-])(\d\d):?(\d\d)?$/.exec(z);
  if (!m) return 0;
  const v = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -v : v;
}

/** Per-stream year for year-less stamps. */
export interface WallYear {
  year: number;
  lastMonth: number;
}

export function newWallYear(): WallYear {
  return { year: 2000, lastMonth: 0 };
}

/** The year of a year-less stamp in month `month`, moving on at New Year. */
export function yearFor(y: WallYear, month: number): number {
  if (y.lastMonth && month + 6 < y.lastMonth) y.year++;
  else if (y.lastMonth && month > y.lastMonth + 6) y.year--;
  y.lastMonth = month;
  return y.year;
}
