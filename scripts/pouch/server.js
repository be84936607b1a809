// A CouchDB-compatible server (express-pouchdb over PouchDB's in-memory adapter) on 127.0.0.1, for
// scripts/bench-sync's peer row. Prints its port on stdout once it listens; ends on SIGTERM.
'use strict';
const express = require('express');
const PouchDB = require('pouchdb-core')
	.plugin(require('pouchdb-adapter-memory'))
	.plugin(require('pouchdb-adapter-http'))
	.plugin(require('pouchdb-replication'))
	.plugin(require('pouchdb-mapreduce'));
const MemPouch = PouchDB.defaults({ adapter: 'memory' });
const app = express();
app.use('/', require('express-pouchdb')(MemPouch, { mode: 'minimumForPouchDB', logPath: '/dev/null' }));
const server = app.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
