/** kstep's version, from the package.json above this module (src/ under vitest, dist/src/ when built). */
import { installedVersion } from './install.js';

export const version = installedVersion;
