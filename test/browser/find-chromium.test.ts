import { describe, expect, it } from 'vitest';
import { INSTALL_HINT, USUAL_LOCATIONS, findChromium } from './find-chromium.js';

/** A fake file system: the listed paths are executables, nothing else is. */
const fake = (env: Record<string, string | undefined>, files: string[]) => ({ env, isExecutable: (p: string) => files.includes(p) });

describe('findChromium', () => {
  it('takes KSTEP_CHROMIUM first, then CHROME_PATH', () => {
    expect(findChromium(fake({ KSTEP_CHROMIUM: '/x/chrome', CHROME_PATH: '/y/chrome', PATH: '/usr/bin' }, ['/x/chrome', '/y/chrome', '/usr/bin/chromium']))).toBe('/x/chrome');
    expect(findChromium(fake({ CHROME_PATH: '/y/chrome', PATH: '/usr/bin' }, ['/y/chrome', '/usr/bin/chromium']))).toBe('/y/chrome');
  });

  it('refuses a variable that names no executable, in one line with the hint', () => {
    expect(() => findChromium(fake({ KSTEP_CHROMIUM: '/nope', PATH: '/usr/bin' }, ['/usr/bin/chromium']))).toThrow(/KSTEP_CHROMIUM=\/nope is not an executable file/);
  });

  it('searches the PATH in order, for each directory every name', () => {
    const files = ['/b/google-chrome', '/a/chromium-browser', '/b/chromium'];
    expect(findChromium(fake({ PATH: '/a:/b' }, files))).toBe('/a/chromium-browser');
    expect(findChromium(fake({ PATH: '/b:/a' }, files))).toBe('/b/chromium');
    expect(findChromium(fake({ PATH: '/c' }, ['/c/google-chrome-stable']))).toBe('/c/google-chrome-stable');
  });

  it('falls back on the usual locations (snap, Fedora, macOS)', () => {
    for (const p of ['/snap/bin/chromium', '/usr/lib64/chromium-browser/chromium-browser', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'])
      expect(findChromium(fake({ PATH: '/nowhere' }, [p]))).toBe(p);
    expect(USUAL_LOCATIONS).toContain('/Applications/Chromium.app/Contents/MacOS/Chromium');
  });

  it('without any browser: one line that says how to install it, and no stack frames', () => {
    let err: Error | undefined;
    try {
      findChromium(fake({ PATH: '/usr/bin:/bin' }, []));
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeDefined();
    expect(err!.message).toContain(INSTALL_HINT);
    expect(err!.message).toContain('apt-get install chromium');
    expect(err!.message).not.toContain('\n');
    expect(err!.stack).not.toMatch(/\n\s+at /);
  });
});
