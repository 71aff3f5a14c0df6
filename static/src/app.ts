/** Browser entry: progressive enhancements on top of server-rendered pages (they work without it). */
import { enhanceConfirmations } from './confirm';

enhanceConfirmations(document);
