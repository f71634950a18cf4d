// The desktop app's tray menu driven as a desktop panel drives it: through the D-Bus menu
// protocol (com.canonical.dbusmenu) that libayatana-appindicator exports for the tray icon. Reads
// the items with GetLayout and clicks one with Event("clicked"), so the app's own handlers run.
// Uses busctl (systemd) on the session bus.
import { execFileSync } from 'node:child_process';

const MENU_PATH = '/org/ayatana/NotificationItem/tray_icon_tray_app_main/Menu';
const MENU_IFACE = 'com.canonical.dbusmenu';

/** A method call; its reply's values (none for a method without any). */
function busctl(...args) {
  const reply = execFileSync('busctl', ['--user', '--json=short', '--timeout=3', 'call', '--', ...args], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  return reply.trim() ? JSON.parse(reply).data : [];
}

/** A label as a panel shows it: in dbusmenu `_` marks the access key and `__` is an underscore. */
const shown = (label) => label.replace(/__|_/g, (m) => (m === '__' ? '_' : ''));

/** The bus connections of process `pid`. */
function connectionsOf(pid) {
  const [names] = busctl('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'ListNames');
  return names.filter((name) => name.startsWith(':')).filter((name) => {
    try {
      const [owner] = busctl('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
        'GetConnectionUnixProcessID', 's', name);
      return owner === pid;
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** The tray menu of the app running as `pid`, or null while it has none on the bus. */
export function trayMenuOf(pid) {
  for (const name of connectionsOf(pid)) {
    const menu = { name };
    menu.items = () => {
      const [, [, , children]] = busctl(name, MENU_PATH, MENU_IFACE, 'GetLayout', 'iias', '0', '-1', '0');
      return children.map(({ data: [id, props] }) => ({
        id,
        label: shown(props.label?.data ?? ''),
        enabled: props.enabled?.data ?? true,
        separator: props.type?.data === 'separator',
      }));
    };
    /** Clicks the first item whose label starts with `prefix`; answers it. */
    menu.click = (prefix) => {
      const item = menu.items().find((i) => i.label.startsWith(prefix));
      if (!item) throw new Error(`no tray item starts with ${JSON.stringify(prefix)}: ${menu.items().map((i) => i.label).join(' | ')}`);
      busctl(name, MENU_PATH, MENU_IFACE, 'Event', 'isvu', String(item.id), 'clicked', 'i', '0', '0');
      return item;
    };
    try {
      menu.items();
      return menu;
    } catch {
      // another connection of the same process
    }
  }
  return null;
}
