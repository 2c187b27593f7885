// End-to-end test of the page `tmkit serve` serves at `/`, in headless
// Chromium through playwright-core. Run by tests/test_serve_web.rs, which
// builds the store from tests/fixtures/fuzzy (memory.tsv as en -> fr,
// ar-en.tsv as ar -> en) and starts the server:
//
//   node tests/e2e/page.js http://127.0.0.1:PORT target/e2e
//
// Exits non-zero, with the failed assertion, when the page misbehaves.
"use strict";
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error("usage: node page.js BASE_URL SCREENSHOT_DIR");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTICLE = `Talks collapse in the capital

Talks between the two parties collapsed on Friday after a week of negotiations. \
The minister resigned on Monday. Prices rose by 12 percent in 2023, according to the statistics office. \
Opposition leaders called for early elections. The president will visit Paris next week. \
Analysts expect the new government to be formed within a month.`;

function step(name) {
  console.log("e2e: " + name);
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "tmkit-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1100, height: 900 },
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  try {
    await run(context);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function run(context) {
  const page = await context.newPage();
  // Offline: any request that leaves the server (a CDN, a font) fails the test.
  const origin = new URL(base).origin;
  const foreign = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("blob:") || url.startsWith("data:")) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(base + "/");
  step("page loaded");
  // The routes the server documents: a tool whose route it does not serve
  // is reported as skipped (the test harness prints it) rather than failed.
  const paths = Object.keys((await (await fetch(base + "/v1/openapi.json")).json()).paths);
  const served = (route) => {
    const ok = paths.includes(route);
    if (!ok) console.log("e2e: SKIPPED " + route + ": not in /v1/openapi.json");
    return ok;
  };
  // The memory list comes from /v1/tms; both pairs of the fixture are offered.
  await page.waitForSelector("#tm option", { state: "attached" });
  const pairs = await page.$$eval("#pair option", (os) => os.map((o) => o.value));
  assert.ok(pairs.includes("en|fr"), "pairs offered: " + pairs);
  assert.ok(pairs.includes("ar|en"), "pairs offered: " + pairs);
  await page.selectOption("#pair", "en|fr");
  // Every form control has a label (screen readers name it).
  const unlabelled = await page.$$eval("input, select, textarea",
    (els) => els.filter((e) => !e.labels || e.labels.length === 0).map((e) => e.id));
  assert.deepEqual(unlabelled, []);

  // Fuzzy matches: one sentence, typed as a translator would.
  await page.fill("#match-q", "");
  await page.type("#match-q", "The minister resigned on Sunday.");
  await page.click("#match-form button[type=submit]");
  await page.waitForSelector("#match-results .match");
  const matches = await page.$$eval("#match-results .match", (ms) => ms.map((m) => ({
    score: m.querySelector(".score").textContent,
    source: m.querySelector(".src").textContent,
    target: m.querySelector(".tgt").textContent,
    del: Array.from(m.querySelectorAll("del")).map((d) => d.textContent),
    ins: Array.from(m.querySelectorAll("ins")).map((d) => d.textContent),
  })));
  assert.equal(matches.length, 2, JSON.stringify(matches));
  assert.match(matches[0].score, /^\d{2,3}%$/);
  assert.equal(matches[0].score, "80%");
  const monday = matches.find((m) => m.target === "Le ministre a démissionné lundi.");
  assert.ok(monday, JSON.stringify(matches));
  // The diff: the memory's word struck, the query's underlined.
  assert.deepEqual(monday.del, ["Monday"]);
  assert.deepEqual(monday.ins, ["Sunday"]);
  assert.match(await page.textContent("#match-status"), /2 match\(es\) for 1 segment/);
  step("fuzzy matches: " + matches.map((m) => m.score + " " + m.target).join(" | "));

  // Penalties: a number that differs costs points, and the target is adapted.
  await page.fill("#match-q", "Prices rose by 15 percent in 2023.");
  await page.click("#match-form button[type=submit]");
  await page.waitForFunction(() => /rose by 15/.test(document.querySelector("#match-results h3")?.textContent || ""));
  const penalties = await page.$$eval("#match-results .penalties li", (ls) => ls.map((l) => l.textContent));
  assert.ok(penalties.some((p) => p.startsWith("number")), "penalties: " + penalties);
  const adapted = await page.textContent("#match-results .match .meta");
  assert.match(adapted, /15/);
  step("penalties: " + penalties.join("; "));

  // Several segments at once (the batch lookup).
  await page.fill("#match-q", "The minister resigned on Sunday.\nTalks between the two parties collapsed.");
  await page.click("#match-form button[type=submit]");
  await page.waitForFunction(() => document.querySelectorAll("#match-results > li").length === 2);
  const firstScores = await page.$$eval("#match-results > li",
    (ls) => ls.map((l) => l.querySelector(".score")?.textContent));
  assert.deepEqual(firstScores, ["80%", "100%"]);
  step("batch lookup: " + firstScores.join(", "));

  // Right to left: an Arabic sentence's matches are laid out right to left,
  // their English targets left to right.
  await page.selectOption("#pair", "ar|en");
  await page.fill("#match-q", "ذهب الوزير إلى باريس يوم الثلاثاء."); // "... on Tuesday", ar-en.tsv has Monday
  await page.click("#match-form button[type=submit]");
  await page.waitForFunction(() => /باريس/.test(document.querySelector("#match-results h3")?.textContent || ""));
  const dirs = await page.$$eval("#match-results .match", (ms) => ms.map((m) => [".src", ".tgt"].map((c) => {
    const e = m.querySelector(c);
    return e.lang + ":" + getComputedStyle(e).direction;
  })));
  assert.deepEqual(dirs[0], ["ar:rtl", "en:ltr"], JSON.stringify(dirs));
  assert.equal(await page.getAttribute("#match-results h3", "dir"), "rtl");
  await page.screenshot({ path: path.join(outDir, "page-rtl.png") });
  step("rtl: the Arabic match is laid out right to left");
  await page.selectOption("#pair", "en|fr");

  if (served("/v1/tms/{tm}/concordance")) await concordance(page);
  if (served("/v1/summarize")) await digest(page);
  if (served("/v1/analyze")) await analysis(page);

  // A bad request shows the server's message, not a blank page.
  await page.click("#tab-match");
  await page.fill("#match-q", "x".repeat(20000));
  await page.click("#match-form button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#match-status").classList.contains("error"));
  step("error shown: " + (await page.textContent("#match-status")).slice(0, 80));

  // Screenshots: desktop with fuzzy results, then phone width.
  await page.fill("#match-q", "The minister resigned on Sunday.");
  await page.click("#match-form button[type=submit]");
  await page.waitForFunction(() => document.querySelectorAll("#match-results .match").length === 2);
  await page.screenshot({ path: path.join(outDir, "page-desktop.png"), fullPage: true });
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, "page is " + overflow + " px wider than a phone screen");
  await page.screenshot({ path: path.join(outDir, "page-phone.png"), fullPage: true });
  step("screenshots in " + outDir);

  assert.deepEqual(foreign, [], "requests left the server");
  // The one expected console error is the refused (414) request above.
  const unexpected = errors.filter((e) => !/Failed to load resource/.test(e));
  assert.deepEqual(unexpected, []);
}

async function concordance(page) {
  // Concordance: a target-language word, accents and all.
  await page.click("#tab-conc");
  assert.equal(await page.isVisible("#panel-match"), false);
  await page.type("#conc-q", "démissionné");
  await page.click("#conc-form button[type=submit]");
  await page.waitForSelector("#conc-results li");
  const hits = await page.$$eval("#conc-results li", (ls) => ls.map((l) => l.textContent));
  assert.equal(hits.length, 2, JSON.stringify(hits));
  const marks = await page.$$eval("#conc-results mark", (ms) => ms.map((m) => m.textContent));
  assert.ok(marks.length >= 2 && marks.every((m) => m === "démissionné"), "marks: " + marks);
  step("concordance: " + hits.length + " hits");

}

async function digest(page) {
  // Digest with translations from the memory.
  await page.click("#tab-digest");
  await page.fill("#digest-text", ARTICLE);
  await page.fill("#digest-min", "50");
  await page.click("#digest-form button[type=submit]");
  await page.waitForSelector("#digest-results .digest-sentence");
  const digest = await page.$$eval("#digest-results .digest-sentence", (ss) => ss.map((s) => s.textContent));
  assert.equal(digest.length, 3, JSON.stringify(digest));
  assert.equal(await page.textContent("#digest-results h3"), "Talks collapse in the capital");
  const translated = await page.$$eval("#digest-results .digest-sentence .tgt", (ts) => ts.map((t) => t.textContent));
  assert.ok(translated.length >= 1, "no digest sentence has a translation: " + JSON.stringify(digest));
  assert.ok(translated.every((t) => /[a-zé]/.test(t)));
  step("digest: " + digest.length + " sentences, " + translated.length + " with a translation");
}

async function analysis(page) {
  // The analysis, downloaded as a file.
  await page.click("#tab-analyze");
  await page.fill("#analyze-text", ARTICLE);
  await page.selectOption("#analyze-format", "csv");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("#analyze-form button[type=submit]"),
  ]);
  assert.equal(download.suggestedFilename(), "analysis.csv");
  const csvPath = path.join(outDir, "analysis.csv");
  await download.saveAs(csvPath);
  const csv = fs.readFileSync(csvPath, "utf8");
  assert.match(csv.split("\n")[0], /band/);
  assert.match(csv, /100%/);
  step("analysis downloaded: " + csv.split("\n").length + " lines");
}

main().then(
  () => console.log("e2e: all passed"),
  (e) => { console.error(e && e.stack ? e.stack : e); process.exit(1); },
);
