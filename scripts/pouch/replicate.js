// node replicate.js ROWS.json CHANGED.json URL: the office side of scripts/bench-sync's PouchDB peer
// row. Loads ROWS (one JSON document per row: _id and the columns) into a local in-memory PouchDB
// and replicates it to URL (a CouchDB database); prints "first done" and waits for a line on standard
// input (the bench reads its byte counter meanwhile); then applies CHANGED (documents with the
// fields that changed) over the local documents, replicates again and prints "incremental done".
'use strict';
const fs = require('fs');
const readline = require('readline');
const PouchDB = require('pouchdb-core')
	.plugin(require('pouchdb-adapter-memory'))
	.plugin(require('pouchdb-adapter-http'))
	.plugin(require('pouchdb-replication'));

function line() {
	return new Promise((resolve) => {
		const rl = readline.createInterface({ input: process.stdin });
		rl.once('line', () => { rl.close(); resolve(); });
	});
}

async function replicate(local, url) {
	const res = await local.replicate.to(url, { batch_size: 500 });
	if (res.doc_write_failures) throw new Error(res.doc_write_failures + ' documents not written');
	return res.docs_written;
}

async function main() {
	const [rowsFile, changedFile, url] = process.argv.slice(2);
	const local = new PouchDB('office', { adapter: 'memory' });
	const rows = JSON.parse(fs.readFileSync(rowsFile, 'utf8'));
	for (let i = 0; i < rows.length; i += 5000) await local.bulkDocs(rows.slice(i, i + 5000));
	console.log('first done ' + (await replicate(local, url)));
	await line();
	const changed = JSON.parse(fs.readFileSync(changedFile, 'utf8'));
	for (const c of changed) {
		const doc = await local.get(c._id);
		await local.put(Object.assign(doc, c, { _rev: doc._rev }));
	}
	console.log('incremental done ' + (await replicate(local, url)));
	process.exit(0); // the HTTP agent's kept-alive sockets would hold the process
}
main().catch((e) => { console.error('replicate: ' + ((e && e.message) || e)); process.exit(1); });
