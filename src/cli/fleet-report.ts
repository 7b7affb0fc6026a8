// `reaplay fleet ... --report DIR`: the fleet page and its data, written like the other pages.
import type { CliIO } from './io.ts';
import { writePage } from './write-page.ts';
import { toJson } from '../report/html/escape.ts';
import { fleetPageData } from '../fleet/report/data.ts';
import { renderFleetPage } from '../fleet/report/page.ts';

/** Writes DIR/index.html and DIR/fleet.json; returns the page's path. */
export async function writeFleetReport(dataset: string, dir: string, io: CliIO): Promise<string> {
  const data = await fleetPageData(dataset);
  const { html, warnings } = renderFleetPage(data);
  return writePage(dir, html, 'fleet.json', `${toJson(data, 1)}\n`, warnings, io);
}
