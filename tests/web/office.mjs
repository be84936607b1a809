// tests/web/office.mjs: a clerk's day in a real browser (Debian's chromium driven by Playwright's
// core), against `sinkron serve` started by tests/t7200-web-browser.sh.  Prints "ok - ..." and
// "not ok - ..." lines and ends with "# N passed, N failed", like the other tests.
// Environment: WEB_URL, WEB_USER, WEB_PASS, SHOTS (screenshot folder), CSV (a file with a bad row),
// CITY_SYNC (a command the city runs to consolidate), TMP.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { check, open, finish } from './harness.mjs';

const url = process.env.WEB_URL, shots = process.env.SHOTS;
const { browser, page, narrow, shoot: shootAt } = await open(shots, 15000);

// a screenshot at 1280 px, and the same page at 390 px in the phone's own session
async function shoot(name) {
	const path = new URL(page.url()).pathname + new URL(page.url()).search;
	await shootAt(name, url + (path.startsWith('/login') ? '/login' : path));
}

try {
	// ---- log in (the phone too) ----
	await page.goto(url + '/');
	check('without a session the browser lands on the login page', new URL(page.url()).pathname === '/login');
	await shoot('login');
	for (const p of [page, narrow]) {
		await p.goto(url + '/login');
		await p.fill('input[name=name]', process.env.WEB_USER);
		await p.fill('input[name=password]', process.env.WEB_PASS);
		await p.click('button[type=submit]');
	}
	check('the clerk logs in and sees the Beranda in Indonesian', (await page.textContent('h1')) === 'Beranda');
	check('... the navigation in Indonesian', (await page.textContent('nav')).includes('Kirim sekarang'));
	await shoot('beranda');

	// ---- register a worker ----
	await page.click('text=Daftar baru');
	await page.fill('input[name=nik]', '9671016107900006');
	await page.fill('input[name=name]', 'Maria Yosefa Kambuaya');
	await page.fill('input[name=birth_place]', 'Sorong');
	await page.fill('input[name=birth_date]', '21-07-1990');
	await page.selectOption('select[name=sex]', { label: 'Perempuan' });
	await page.selectOption('select[name=kelurahan]', { label: 'Remu Utara' });
	await page.fill('input[name=occupation]', 'Pedagang pasar');
	await shoot('daftar');
	await page.click('button:has-text("Simpan")');
	await page.waitForSelector('h2.name');
	check('a new worker is registered', (await page.textContent('h2.name')) === 'Maria Yosefa Kambuaya');
	check('... enrolled in JKK and JKM by the APBD Kota', (await page.textContent('#enrolments')).includes('APBD Kota'));
	check('... marked "belum terkirim"', (await page.textContent('.mark')) === 'belum terkirim');
	check('... sex as the office writes it', (await page.textContent('dl.fields')).includes('Perempuan'));
	await shoot('pekerja-detail');

	// ---- a bad NIK in the form: the error next to the field, nothing saved ----
	await page.goto(url + '/daftar');
	await page.fill('input[name=nik]', '96710161079');
	await page.fill('input[name=name]', 'Salah Ketik');
	await page.fill('input[name=birth_date]', '21-07-1990');
	await page.selectOption('select[name=sex]', { label: 'Perempuan' });
	await page.selectOption('select[name=kelurahan]', { label: 'Remu' });
	await page.click('button:has-text("Simpan")');
	const err = await page.textContent('#f-nik .field-error');
	check('a bad NIK: the reason in Indonesian next to the field', err.includes('NIK harus 16 angka, sekarang 11'), err);
	await shoot('daftar-salah');

	// ---- correct a field ----
	await page.goto(url + '/pekerja?q=yosefa');
	await page.click('text=Maria Yosefa Kambuaya');
	await page.click('text=Ubah');
	await page.fill('input[name=phone]', '081344556677');
	await shoot('ubah');
	await page.click('button:has-text("Simpan")');
	await page.waitForSelector('h2.name');
	check('a correction is saved', (await page.textContent('dl.fields')).includes('081344556677'));

	// ---- import a spreadsheet with a bad row, download the rejects ----
	await page.click('nav >> text=Impor');
	await page.setInputFiles('input[name=file]', process.env.CSV);
	await page.selectOption('select[name=funder]', 'APBD Kota');
	await page.click('button:has-text("Periksa berkas")');
	await page.waitForSelector('#preview');
	const preview = await page.textContent('#preview');
	check('the import preview: 2 to add, 1 rejected', /2\s*akan ditambahkan/.test(preview) && /1\s*ditolak/.test(preview), preview);
	check('... with the reason of the bad row', (await page.textContent('#issues')).includes('Jenis Kelamin'));
	await shoot('impor-pratinjau');
	await page.click('button:has-text("Simpan impor")');
	await page.waitForSelector('#result');
	check('the import is saved', (await page.textContent('#result')).includes('2 ditambahkan'));
	const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#rejects')]);
	const rej = readFileSync(await dl.path(), 'utf8');
	check('the rejected rows download, with the reason', rej.includes('Alasan') && rej.includes('Natalia Salah'), rej);
	await shoot('impor-hasil');

	// ---- a worker who died: end, then the heir ----
	await page.goto(url + '/pekerja?q=petrus');
	await page.click('text=Petrus Kalami');
	await page.click('text=Akhiri kepesertaan');
	await page.selectOption('select[name=reason]', 'meninggal dunia');
	await shoot('akhiri');
	await page.click('button:has-text("Akhiri kepesertaan")');
	await page.waitForSelector('input[name=name]');
	check('"meninggal dunia" with no heir asks for the heir', (await page.textContent('main')).includes('belum punya ahli waris'));
	await page.fill('input[name=name]', 'Yohana Kalami');
	await page.selectOption('select[name=relationship]', { label: 'anak kandung' });
	await shoot('ahli-waris');
	await page.click('button:has-text("Simpan")');
	await page.waitForSelector('#heirs');
	check('the heir is on the worker\'s page', (await page.textContent('#heirs')).includes('Yohana Kalami, anak kandung'));
	check('... and the worker has ended: meninggal dunia', (await page.textContent('main')).includes('meninggal dunia'));
	check('... the history names the clerk', (await page.textContent('#history')).includes(`oleh ${process.env.WEB_USER}`));

	// ---- Kirim sekarang against the central repository ----
	await page.click('nav >> text=Kirim sekarang');
	await page.click('#send');
	await page.waitForSelector('#result', { timeout: 120000 });
	const res = await page.textContent('#result');
	check('Kirim sekarang: sent, in words', res.startsWith('Terkirim'), res);
	await shoot('kirim');
	await page.goto(url + '/pekerja?status=all');
	let marks = await page.$$eval('.mark', (m) => m.map((x) => x.textContent));
	check('after sending every row is marked "terkirim"', marks.length === 3 && marks.every((m) => m === 'terkirim'), marks);

	// ---- the city consolidates; the next round brings its receipt ----
	try {
		execSync(process.env.CITY_SYNC, { stdio: 'pipe' });
		check('the city consolidates', true);
	} catch (e) {
		check('the city consolidates', false, `${e.stdout}${e.stderr}`);
	}
	await page.click('nav >> text=Kirim sekarang');
	await page.click('#send');
	await page.waitForSelector('#result', { timeout: 120000 });
	await page.goto(url + '/pekerja?status=all');
	marks = await page.$$eval('.mark', (m) => m.map((x) => x.textContent));
	check('after the city consolidated every row is marked "diterima kota"', marks.length === 3 && marks.every((m) => m === 'diterima kota'), marks);
	await shoot('pekerja');
	await page.goto(url + '/');
	check('the Beranda says the city has everything', (await page.textContent('#city')).includes('Kota sudah menerima semua'));
	await shoot('beranda-akhir');

	// ---- what the city decided reaches the Beranda, linked to the record ----
	await page.goto(url + '/pekerja?q=yosefa');
	const href = await page.getAttribute('a:has-text("Maria Yosefa Kambuaya")', 'href');
	const id = href.split('/').pop();
	execSync(`${process.env.CITY} worker kpj ${id} 24010000099 && ${process.env.CITY} sync`, { stdio: 'pipe' });
	await page.click('nav >> text=Kirim sekarang');
	await page.click('#send');
	await page.waitForSelector('#result', { timeout: 120000 });
	await page.goto(url + '/');
	const dec = await page.textContent('#decisions');
	check('the KPJ number the city set is on the Beranda', dec.includes('nomor KPJ ditetapkan kota: 24010000099'), dec);
	await page.click(`#decisions a[href="/pekerja/${id}"]`);
	check('... linked to the worker\'s page, which shows it', (await page.textContent('dl.fields')).includes('24010000099'));
	const hist = await page.textContent('#history');
	check('the history, from the change-sets: the clerk\'s registration, then the city\'s KPJ',
		/pekerja ditambahkan oleh ani.*pekerja diubah oleh [^(]*\(kota\): KPJ/s.test(hist), hist);
	await shoot('beranda-keputusan');
} catch (e) {
	check('the scenario ran to its end', false, e.stack || e);
}
await finish(browser);
