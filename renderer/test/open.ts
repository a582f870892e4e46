// Opens a collapsed row or a "Details" disclosure the way a person does: a click on its summary.
import { fireEvent, screen, within } from '@testing-library/svelte';

/** Opens the collapsed row (a Fold) whose region is named `name`; returns the region. */
export async function openFold(name: string | RegExp): Promise<HTMLElement> {
  const region = screen.getByRole('region', { name });
  const details = region.querySelector('details')!;
  if (!details.open) await fireEvent.click(details.querySelector('summary')!);
  return region;
}

/** Opens the <details> inside `root` whose summary reads `summary`. */
export async function openDetails(root: HTMLElement, summary: string | RegExp): Promise<void> {
  const el = within(root).getByText(summary, { selector: 'summary' });
  const details = el.closest('details')!;
  if (!details.open) await fireEvent.click(el);
}
