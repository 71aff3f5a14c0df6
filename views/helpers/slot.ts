import Handlebars, { type HelperOptions } from 'handlebars';
import { slotMarker } from '../../server/slots';

/**
 * {{#slot "name" arg}}…{{/slot}}: in a page rendered with this name in `slotted` (a list), the
 * slot's marker, which each request fills; otherwise the block itself, so every other page (and
 * every slot a shared page does not ask for) renders exactly as before.
 */
export function slot(this: unknown, name: string, ...rest: unknown[]): string | Handlebars.SafeString {
  const options = rest.pop() as HelperOptions;
  const slotted = options.data?.root?.slotted as readonly string[] | undefined;
  if (slotted?.includes(name)) return new Handlebars.SafeString(slotMarker(name, rest[0] as string | number | undefined));
  return options.fn(this);
}
