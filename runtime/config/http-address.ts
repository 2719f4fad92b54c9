/**
 * An address written as a URL (`--api http://relay.lan:8080`, as the CLI prints it and a browser shows it) for the
 * places that take `host:port`. Only plain `http://HOST:PORT` with an optional trailing `/` names an address: the
 * relay serves no TLS, credentials belong in the token, and a path would be silently dropped.
 */

/** `host:port` for an `http://` URL, a problem message for a URL that is not usable, undefined for a non-URL. */
export function hostPortOfUrl(text: string): { hostPort: string } | { problem: string } | undefined {
  const s = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s)?.[1]?.toLowerCase();
  if (scheme === undefined) return undefined;
  if (scheme === 'https') return { problem: `"${text}": the relay serves plain HTTP (no TLS); give http://HOST:PORT or HOST:PORT` };
  if (scheme !== 'http') return { problem: `"${text}": only http:// URLs name the relay (or give HOST:PORT)` };
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return { problem: `"${text}" is not a valid URL; give http://HOST:PORT or HOST:PORT (IPv6 in brackets: http://[::1]:8080)` };
  }
  if (url.username || url.password) return { problem: `"${text}": no user or password in the address; the API token goes in api.token or LATTICE_API_TOKEN` };
  if (url.pathname !== '/' || url.search || url.hash) return { problem: `"${text}": give only http://HOST:PORT, without a path, query or fragment` };
  // URL drops a port equal to the scheme's default (80); `:80` written out is still a port given.
  const port = url.port || (/:80\/?$/.test(s) ? '80' : '');
  if (port === '') return { problem: `"${text}": give the port, e.g. http://${url.host}:8080 (the API's default port)` };
  return { hostPort: `${url.hostname}:${port}` };
}
