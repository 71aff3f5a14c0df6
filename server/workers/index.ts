/** Which processors run in which role. `web` serves HTTP and sockets; `worker` runs the pipeline; `all` does both. */
import type { Processor } from './dispatcher';
import { notifyProcessor } from './notify';
import { messageNotifyProcessor } from './messageNotify';

/** The processors this process runs for its role. */
export function processorsFor(role: 'all' | 'web' | 'worker', extra: { web?: Processor[]; worker?: Processor[]; both?: Processor[] } = {}): Processor[] {
  const worker: Processor[] = [notifyProcessor as Processor, messageNotifyProcessor as Processor, ...(extra.worker ?? [])];
  const web: Processor[] = [...(extra.web ?? [])];
  const both = extra.both ?? [];
  if (role === 'web') return [...web, ...both];
  if (role === 'worker') return [...worker, ...both];
  return [...worker, ...web, ...both];
}
