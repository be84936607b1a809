// tests/web/city.mjs: the city officer's month in a real browser (Debian's chromium driven by
// Playwright's core) against `sinkron serve` on the city's database, started by
// tests/t7300-city-web.sh.  Prints "ok - ..." and "not ok - ..." lines and ends with
// "# N passed, N failed".  Environment: WEB_URL (the city), OFFICE_URL (96.71.02's pages), SHOTS,
// TMP, KPJ (BPJS's file), NIK (registered twice), DW1 (96.71.01's record of it), QAHEAD and QOWN
// (the held change-sets), CITY_SYNC and OFFICE_SYNC (commands).
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { check, open, finish } from './harness.mjs';

const url = process.env.WEB_URL, shots = process.env.SHOTS, tmp = process.env.TMP;
const { browser, page, narrow, shoot: shootAt } = await open(shots, 20000);

// the page at 1280 px and at 390 px (the forms' pages without their query)
async function shoot(name) {
	const u = new URL(page.url());
	if (u.pathname.startsWith('/login')) await shootAt(name, url + '/login');
	else if (u.pathname.startsWith('/kota/karantina') || u.pathname.startsWith('/kota/duplikat') || u.pathname.startsWith('/kota/kpj')) await shootAt(name, url + u.pathname);
	else await shootAt(name, url + u.pathname + u.search);
}

async function login(p, base, name, pass) {
	await p.goto(base + '/login');
	await p.fill('input[name=name]', name);
	await p.fill('input[name=password]', pass);
	await p.click('button[type=submit]');
}

try {
	await page.goto(url + '/');
	check('without a session the officer lands on the login page', new URL(page.url()).pathname === '/login');
	await login(page, url, 'opr', 'rahasia-op1');
	await login(narrow, url, 'opr', 'rahasia-op1');
	check('the officer logs in and sees the Beranda in Indonesian', (await page.textContent('h1')) === 'Beranda');
	const nav = await page.textContent('nav');
	check('... the city\'s navigation in Indonesian', nav.includes('Karantina') && nav.includes('Duplikat') && nav.includes('Tagihan'), nav);

	// ---- the districts at a glance: the silent one first ----
	const rows = await page.$$eval('#districts tbody tr', trs => trs.map(t => [t.id, t.className, t.textContent]));
	const silent = rows.filter(r => r[1].includes('silent')).map(r => r[0]);
	check('a district that has sent nothing (96.71.03) is flagged', silent.includes('d-96.71.03'), JSON.stringify(silent));
	check('... the flagged ones come first', rows.length > 3 && rows[0][1].includes('silent') && !rows[rows.length - 1][1].includes('silent'), JSON.stringify(rows.map(r => r[0] + ':' + r[1])));
	const d01 = rows.find(r => r[0] === 'd-96.71.01');
	check('a district that synced is not flagged', d01 && !d01[1].includes('silent'), d01);
	check('... with its workers and a change-set received hours or minutes ago', d01 && /paket \d+/.test(d01[2]) && /yang lalu/.test(d01[2]), d01 && d01[2]);
	check('... one change-set held in quarantine and one duplicate waiting', d01 && (await page.textContent('#d-96\\.71\\.01 td:nth-child(6)')).trim() === '1' && (await page.textContent('#d-96\\.71\\.01 td:nth-child(7)')).trim() === '1');
	check('the note says a district has sent nothing for a week', (await page.textContent('#silent-note')).includes('tidak mengirim'));
	check('the month\'s bill per funder against its budget', (await page.textContent('#budgets')).includes('APBD Kota'));
	await shoot('kota-beranda');

	// ---- quarantine: release one, reject the other, each with a confirmation and a note ----
	await page.click('nav >> text=Karantina');
	const qtext = await page.textContent('main');
	check('Karantina lists both held change-sets', qtext.includes(process.env.QAHEAD) && qtext.includes(process.env.QOWN));
	const reasonAhead = await page.textContent(`#q-${process.env.QAHEAD} .reason`);
	check('... the reason in words, in Indonesian', reasonAhead.includes('lebih dari sehari di depan jam kota'), reasonAhead);
	await shoot('kota-karantina');
	await page.fill(`#q-${process.env.QAHEAD} textarea[name=note]`, 'jam kantor distrik sudah dibetulkan');
	await page.click(`#q-${process.env.QAHEAD} button[value=release]`);
	check('releasing asks for a confirmation first', (await page.textContent('h1')).includes('Lepaskan'));
	await shoot('kota-karantina-konfirmasi');
	await page.click('#confirm');
	check('released: what happens next said plainly', (await page.textContent('.ok')).includes('Dilepaskan'));
	await page.click(`#q-${process.env.QOWN} button[value=reject]`);
	await page.click('#confirm');
	const rej = await page.textContent('.ok');
	check('rejected: what the district must do next said plainly', rej.includes('Ditolak') && rej.includes('distrik'), rej);
	check('nothing is held any more', (await page.$('#none-held')) !== null);
	await page.click('button:has-text("Gabungkan")');
	check('consolidating now takes the released change-set in', (await page.textContent('.ok')).includes('paket'));

	// ---- duplicates ----
	await page.click('nav >> text=Duplikat');
	const card = `#nik-${process.env.NIK}`;
	check('the two records of the NIK side by side', (await page.$$(`${card} table.compare thead th`)).length === 3);
	const differs = await page.$$eval(`${card} tr.differs th`, t => t.map(x => x.textContent));
	check('... the fields that differ highlighted (name, phone, district)', differs.includes('Nama') && differs.includes('No HP') && differs.includes('Distrik'), JSON.stringify(differs));
	const last = await page.$$eval(`${card} tbody tr`, trs => trs.filter(t => t.querySelector('th').textContent === 'Perubahan terakhir').map(t => [...t.querySelectorAll('td')].map(d => d.textContent)));
	check('... each record\'s last change: when, and by which district', last.length === 1 && last[0].length === 2 &&
		/^\d\d-\d\d-\d{4} \d\d:\d\d, .*\(96\.71\.01\)$/.test(last[0][0]) && /^\d\d-\d\d-\d{4} \d\d:\d\d, .*\(96\.71\.02\)$/.test(last[0][1]), JSON.stringify(last));
	await shoot('kota-duplikat');
	await page.check(`${card} input[value="${process.env.DW1}"]`);
	await page.click(`${card} button[type=submit]`);
	check('the decision is taken', (await page.textContent('.ok')).includes(process.env.NIK));

	// ---- KPJ: BPJS's file ----
	await page.click('nav >> text=KPJ');
	await page.setInputFiles('input[name=file]', process.env.KPJ);
	await page.click('button:has-text("Baca berkas")');
	check('one KPJ matched and set', (await page.textContent('#kpj-set')).trim() === '1');
	check('one NIK not matched', (await page.textContent('#kpj-unknown')).trim() === '1' && (await page.textContent('#kpj-unknown-rows')).includes('tidak ada pekerja aktif dengan NIK 9999999999999999'));
	check('one refused: its KPJ is on another worker', (await page.textContent('#kpj-refused')).trim() === '1' && (await page.textContent('#kpj-refused-rows')).includes('24010000077'));
	await shoot('kota-kpj');

	// ---- a KPJ set on a worker's page ----
	await page.goto(url + '/pekerja/' + process.env.DW1);
	await page.fill('#set-kpj input[name=kpj]', '24010000099');
	await page.click('#set-kpj button[type=submit]');
	check('a KPJ set on the worker\'s page', (await page.textContent('.ok')).includes('24010000099'));

	// ---- the Beranda after the decisions: what it keeps is computed again ----
	await page.goto(url + '/');
	check('after the decisions the Beranda shows nothing held and no duplicate waiting for 96.71.01',
		(await page.textContent('#d-96\\.71\\.01 td:nth-child(6)')).trim() === '0' && (await page.textContent('#d-96\\.71\\.01 td:nth-child(7)')).trim() === '0');

	// ---- the bill, downloaded and read back by LibreOffice ----
	await page.click('nav >> text=Tagihan');
	await page.fill('#anggaran input[name=amount]', '2,2 miliar');
	await page.click('#anggaran button[type=submit]');
	check('a budget entered for the year', (await page.textContent('.ok')).includes('APBD Kota'));
	const budgets = await page.textContent('#budgets');
	check('... and the bill set against it, with the month it runs out or that it lasts', budgets.includes('Rp2.200.000.000') && (budgets.includes('habis pada') || budgets.includes('cukup sampai akhir tahun')), budgets);
	const total = (await page.textContent('#bill-total')).replace(/[^0-9]/g, '');
	check('the month\'s bill has a total', Number(total) > 0, total);
	await shoot('kota-tagihan');
	const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#bill-xlsx')]);
	const xlsx = `${tmp}/tagihan.xlsx`;
	await dl.saveAs(xlsx);
	check('the bill downloads as .xlsx', readFileSync(xlsx).subarray(0, 2).toString() === 'PK');
	execSync(`soffice --headless -env:UserInstallation=file://${tmp}/lo --convert-to csv --outdir ${tmp}/lo-out ${xlsx}`, { stdio: 'ignore', timeout: 180000 });
	const csv = readFileSync(`${tmp}/lo-out/tagihan.csv`, 'utf8');
	const totalLine = csv.split(/\r?\n/).find(l => l.startsWith('Jumlah'));
	const lines = csv.split(/\r?\n/).slice(1).filter(l => l && !l.startsWith('Jumlah'));
	const sum = lines.reduce((s, l) => s + Number(l.split(',').pop().replace(/"/g, '')), 0);
	check('LibreOffice reads the total the page shows', totalLine && totalLine.split(',').pop().replace(/"/g, '') === total, csv);
	check('... and the lines add up to it', String(sum) === total, `${sum} vs ${total}`);
	await page.goto(url + '/kota/laporan');
	check('the year\'s report page with its charts', (await page.$$('svg')).length > 0);
	await page.goto(url + '/kota/riwayat');
	check('Riwayat lists the officer\'s decisions with the notes', (await page.textContent('#decisions')).includes('jam kantor distrik sudah dibetulkan'));
	await shoot('kota-riwayat');

	// ---- the decision reaches the district's Beranda after it syncs ----
	execSync(process.env.CITY_SYNC, { stdio: 'ignore' });
	execSync(process.env.OFFICE_SYNC, { stdio: 'ignore' });
	const office = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
	await login(office, process.env.OFFICE_URL, 'ani', 'rahasia-ani');
	const dec = await office.textContent('#decisions');
	check('the district\'s Beranda shows the city\'s duplicate decision, the kept record linked', dec.includes('terdaftar dua kali') && (await office.$(`#decisions a[href="/pekerja/${process.env.DW1}"]`)) !== null, dec);
	await office.screenshot({ path: `${shots}/distrik-beranda-1280.png`, fullPage: true });
} catch (e) {
	check('the browser script ran to its end', false, e.stack);
}
await finish(browser);
