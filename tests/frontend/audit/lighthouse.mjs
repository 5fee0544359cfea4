// Lighthouse on pages at a phone's or a desktop's size, in one Chrome, one run after another.
//
//   node lighthouse.mjs OUT_DIR NAME@FORM_FACTOR=URL [...]    (FORM_FACTOR: mobile or desktop)
//
// Chrome is the system's (CHROME_PATH, e.g. /usr/bin/chromium): Lighthouse downloads none.
// Each report is kept as OUT_DIR/NAME-FORM_FACTOR.json; stdout gets one JSON line: for each
// run its four category scores and the weighted audits that fell short.
// Throttling is Lighthouse's default, simulated: it is computed from the page's requests and
// tasks, not timed on this machine, so a busy machine moves the score little.
import fs from "node:fs";
import path from "node:path";

import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];
// Not scored, and the slowest parts of a run (bf-cache navigates away and back): left out.
const SKIPPED = ["full-page-screenshot", "screenshot-thumbnails", "final-screenshot", "bf-cache"];
// How long a load is watched after it seems done: a second each by default. These pages load
// everything they have at once (one stylesheet, one deferred script, nothing late), so a
// quarter of that sees the same trace in less time.
const QUIET_MS = 250;

const [outDir, ...runs] = process.argv.slice(2);
const RUN = /^([\w-]+)@(mobile|desktop)=(.+)$/s;
if (!outDir || runs.length === 0 || !runs.every((run) => RUN.test(run)) || !process.env.CHROME_PATH) {
  console.error("usage: CHROME_PATH=/usr/bin/chromium node lighthouse.mjs OUT_DIR NAME@mobile=URL ...");
  process.exit(2);
}

function shortfalls(lhr) {
  const failing = [];
  for (const id of CATEGORIES) {
    for (const ref of lhr.categories[id].auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        failing.push({
          category: id,
          audit: ref.id,
          title: audit.title,
          score: audit.score,
          value: audit.displayValue || "",
        });
      }
    }
  }
  return failing;
}

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: CHROME_FLAGS,
});
const results = [];
try {
  for (const run of runs) {
    const [, name, formFactor, url] = run.match(RUN);
    const flags = {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: CATEGORIES,
      skipAudits: SKIPPED,
      disableFullPageScreenshot: true,
      pauseAfterFcpMs: QUIET_MS,
      pauseAfterLoadMs: QUIET_MS,
      networkQuietThresholdMs: QUIET_MS,
      cpuQuietThresholdMs: QUIET_MS,
    };
    const started = Date.now();
    const done = await lighthouse(url, flags, formFactor === "desktop" ? desktopConfig : undefined);
    fs.writeFileSync(path.join(outDir, `${name}-${formFactor}.json`), done.report);
    const lhr = done.lhr;
    results.push({
      name,
      url,
      formFactor,
      seconds: (Date.now() - started) / 1000,
      scores: Object.fromEntries(CATEGORIES.map((id) => [id, lhr.categories[id].score])),
      runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
      failing: shortfalls(lhr),
    });
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results) + "\n");
