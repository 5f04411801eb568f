// Where the browser test finds Chromium (or Chrome): the KSTEP_CHROMIUM or CHROME_PATH variable,
// then chromium, chromium-browser, google-chrome, google-chrome-stable on the PATH, then the usual
// install locations of Debian/Ubuntu (snap), Fedora and macOS. Without one, a single line says how
// to install it.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const ENV_VARS = ['KSTEP_CHROMIUM', 'CHROME_PATH'] as const;
export const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'] as const;
export const USUAL_LOCATIONS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/lib/chromium/chromium',
  '/usr/lib64/chromium-browser/chromium-browser',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
] as const;

export const INSTALL_HINT =
  'the browser test needs Chromium or Chrome: install it (Debian/Ubuntu: sudo apt-get install chromium; Fedora: sudo dnf install chromium; macOS: brew install --cask chromium) or set KSTEP_CHROMIUM=/path/to/chrome';

export interface Lookup {
  env: Readonly<Record<string, string | undefined>>;
  /** Whether a path is an executable file. */
  isExecutable: (path: string) => boolean;
}

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser's path; throws an Error whose message is one line (and whose stack is only that line). */
export function findChromium(lookup: Lookup = { env: process.env, isExecutable: executable }): string {
  const { env, isExecutable } = lookup;
  for (const name of ENV_VARS) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    if (isExecutable(v)) return v;
    throw oneLine(`${name}=${v} is not an executable file; ${INSTALL_HINT}`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of PATH_NAMES) {
      const p = join(dir, name);
      if (isExecutable(p)) return p;
    }
  }
  for (const p of USUAL_LOCATIONS) if (isExecutable(p)) return p;
  throw oneLine(`no Chromium found (looked at ${ENV_VARS.join(', ')}, ${PATH_NAMES.join(', ')} on the PATH and the usual locations); ${INSTALL_HINT}`);
}

function oneLine(message: string): Error {
  const e = new Error(message);
  e.stack = `Error: ${message}`;
  return e;
}
