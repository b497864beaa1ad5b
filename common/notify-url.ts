// --notify-url and a RemediationPolicy's webhook: an http(s) URL of bounded length, checked once at start-up.
import { InvalidArgumentError } from './errors.js';

export const MAX_NOTIFY_URL_LENGTH = 2048;

export function parseNotifyUrl(text: string, field: string): string {
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  if (text.length > MAX_NOTIFY_URL_LENGTH) throw new InvalidArgumentError(field, `${shown} is longer than ${MAX_NOTIFY_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(field, `${shown} is not a URL (expected http://HOST[:PORT]/PATH or https://...)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(field, `${shown}: the scheme must be http or https`);
  if (!url.hostname) throw new InvalidArgumentError(field, `${shown} has no host`);
  return url.href;
}
