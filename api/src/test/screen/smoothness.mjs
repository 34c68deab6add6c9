// How smooth the flood screen stays with thousands of gauges (docs/screen.md): loads it in
// Debian's headless Chromium, waits until it is ready, then counts animation frames for 20 s while
// the demo's rainstorm streams changes, and prints the gauges, the load time, frames per second,
// the p99 and longest gaps between frames, changes applied per second and any console errors.
// (an ES module finds playwright-core beside it, so run a copy where it is installed):
//   mkdir -p /tmp/pw && npm install --prefix /tmp/pw playwright-core@1
//   cp api/src/test/screen/smoothness.mjs /tmp/pw/ && node /tmp/pw/smoothness.mjs http://127.0.0.1:8080/screen/flood
import { chromium } from "playwright-core";
const url = process.argv[2];
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"] });
const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
const errors = [];
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
const t0 = Date.now();
await page.goto(url);
await page.waitForFunction(() => window.floodScreen && window.floodScreen.ready, null, { timeout: 120000 });
const loadMillis = Date.now() - t0;
const result = await page.evaluate(async () => {
  const screen = window.floodScreen;
  let applied = 0;
  const original = screen.dirty.add.bind(screen.dirty);
  screen.dirty.add = (id) => { applied++; return original(id); };
  const gaps = [];
  let last = performance.now();
  let frames = 0;
  const end = last + 20000;
  await new Promise((resolve) => {
    function tick(now) { frames++; gaps.push(now - last); last = now; if (now < end) requestAnimationFrame(tick); else resolve(); }
    requestAnimationFrame(tick);
  });
  gaps.sort((a, b) => a - b);
  return { gauges: screen.gauges.size, framesPerSecond: frames / 20, p99GapMillis: gaps[Math.floor(gaps.length * 0.99)],
           longestGapMillis: gaps[gaps.length - 1], changesPerSecond: applied / 20 };
});
console.log(JSON.stringify({ loadMillis, ...result, consoleErrors: errors }));
await browser.close();
