/**
 * Every test file gets its own app home (DFF_HOME) in a temp folder unless one is set, so that nothing a test
 * runs (the feature cache, settings, the demo project) writes into the user's real home.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

if (!process.env.DFF_HOME) process.env.DFF_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'dff-test-home-'));
