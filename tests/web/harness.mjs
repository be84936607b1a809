// tests/web/harness.mjs: what the browser scripts share (office.mjs, city.mjs): the "ok - ..." /
// "not ok - ..." lines and the closing "# N passed, N failed" (exit status 1 on a failure),
// Debian's chromium driven by Playwright's core with a wide (1280 px) and a phone (390 px)
// session, and a screenshot of a page at both widths with the check that nothing is wider than
// the phone's screen.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

let passed = 0, failed = 0;
export function check(desc, cond, detail) {
	if (cond) { passed++; console.log(`ok - ${desc}`); }
	else { failed++; console.log(`not ok - ${desc}`); if (detail !== undefined) console.log(`#   ${String(detail).slice(0, 400)}`); }
}

// the browser and its two sessions; shots: the screenshot folder
export async function open(shots, timeout) {
	mkdirSync(shots, { recursive: true });
	const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
	const wide = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
	const page = await wide.newPage();
	const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
	const narrow = await phone.newPage();
	page.setDefaultTimeout(timeout);
	narrow.setDefaultTimeout(timeout);
	// the page at 1280 px, and narrowUrl in the phone's own session: nothing wider than the screen there
	async function shoot(name, narrowUrl) {
		await page.screenshot({ path: `${shots}/${name}-1280.png`, fullPage: true });
		await narrow.goto(narrowUrl);
		await narrow.screenshot({ path: `${shots}/${name}-390.png`, fullPage: true });
		const [sw, w] = await narrow.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
		check(`${name}: no sideways scrolling at 390 px (${sw} <= ${w})`, sw <= w);
	}
	return { browser, page, narrow, shoot };
}

export async function finish(browser) {
	await browser.close();
	console.log(`# ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}
