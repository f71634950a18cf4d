// A W3C WebDriver client for the desktop window (tauri-driver + WebKitWebDriver): plain HTTP
// calls, shared by the desktop and the installed-package tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A client of the driver at `base` (e.g. http://127.0.0.1:4444); `open` starts the app. */
export function webDriverClient(base, screenshotDir) {
  const client = { session: undefined };

  client.call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok || json.value?.error) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  };
  const inSession = (method, path, body) => client.call(method, `/session/${client.session}${path}`, body);

  // W3C names the element key 'element-6066-11e4-a52f-4d65d0d6e5da'; WebKitWebDriver answers
  // with its own identifier, so take whichever single key the reference has (and send it back).
  let elementKey = 'element-6066-11e4-a52f-4d65d0d6e5da';
  const elementId = (ref) => {
    [elementKey] = Object.keys(ref);
    return ref[elementKey];
  };
  /** An element as a script argument. */
  client.ref = (el) => ({ [elementKey]: el });

  /** Starts `application` in a new session. */
  client.open = async (application) => {
    const created = await client.call('POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    });
    client.session = created.sessionId;
    return client.session;
  };
  /** Ends the session (the app closes); never throws. */
  client.close = async () => {
    if (client.session) await client.call('DELETE', `/session/${client.session}`).catch(() => {});
    client.session = undefined;
  };
  client.find = async (css) => elementId(await inSession('POST', '/element', { using: 'css selector', value: css }));
  client.findAll = async (css) => (await inSession('POST', '/elements', { using: 'css selector', value: css })).map(elementId);
  client.textOf = (el) => inSession('GET', `/element/${el}/text`);
  client.attrOf = (el, name) => inSession('GET', `/element/${el}/attribute/${name}`);
  client.click = (el) => inSession('POST', `/element/${el}/click`, {});
  client.type = (el, text) => inSession('POST', `/element/${el}/value`, { text });
  client.script = (body, args = []) => inSession('POST', '/execute/sync', { script: body, args });
  client.scriptAsync = (body, args = []) => inSession('POST', '/execute/async', { script: body, args });
  client.title = () => inSession('GET', '/title');
  client.screenshot = async (name) => {
    const png = await inSession('GET', '/screenshot');
    writeFileSync(join(screenshotDir, name), Buffer.from(png, 'base64'));
  };
  return client;
}
