-- 001-registry.sql: the district (or city) registry of informal workers enrolled in BPJS
-- Ketenagakerjaan's JKK/JKM (and optional JHT), and sinkron's own bookkeeping.
-- Synced tables (listed in sk_tables) have a text id made at the office that created the row, an
-- `owner` (the region code of the district that owns the record) and the hidden column `_sk`
-- (row hash and per-column clocks, written only by sinkron).  Their columns are nullable because
-- change-sets may arrive in any order; the rules of a record are checked where records are made.

CREATE TABLE workers (
	id          TEXT PRIMARY KEY,  -- <district digits>-<time hex>-<random hex>
	owner       TEXT,              -- region code of the owning district, e.g. 96.71.01
	nik         TEXT,              -- Nomor Induk Kependudukan, 16 digits
	kk          TEXT,              -- Nomor Kartu Keluarga (family card), 16 digits
	name        TEXT,
	birth_place TEXT,
	birth_date  TEXT,              -- YYYY-MM-DD
	sex         TEXT,              -- L or P
	address     TEXT,
	kelurahan   TEXT,              -- region code, e.g. 96.71.01.1001
	phone       TEXT,
	occupation  TEXT,
	workplace   TEXT,
	income      INTEGER,           -- declared monthly income bracket, rupiah
	status      TEXT,              -- active | ended
	ended_on    TEXT,
	end_reason  TEXT,
	kpj         TEXT,              -- BPJS participant number: written by the city
	verified    TEXT,              -- verification status: written by the city
	_sk         BLOB
);
CREATE INDEX workers_nik ON workers(nik);

CREATE TABLE heirs (                -- ahli waris: who receives the JKM death benefit
	id           TEXT PRIMARY KEY,
	owner        TEXT,
	worker_id    TEXT,
	name         TEXT,
	nik          TEXT,
	relationship TEXT,              -- suami, istri, anak, orang tua, saudara kandung, ...
	phone        TEXT,
	_sk          BLOB
);
CREATE INDEX heirs_worker ON heirs(worker_id);

CREATE TABLE enrolments (
	id          TEXT PRIMARY KEY,
	owner       TEXT,
	worker_id   TEXT,
	program     TEXT,               -- JKK, JKM or JHT
	funder      TEXT,               -- APBD Kota, APBD Provinsi, CSR:<name>, Mandiri
	decree      TEXT,               -- number of the mayor's decree (SK) that funds it
	start_on    TEXT,               -- first month covered, YYYY-MM-DD
	end_on      TEXT,               -- last day covered, NULL while active
	income      INTEGER,            -- bracket the premium is computed on
	_sk         BLOB
);
CREATE INDEX enrolments_worker ON enrolments(worker_id);

-- Premium rates are data, valid between dates, with the regulation they come from.
-- basis 'percent': value is hundredths of a percent of the income bracket (100 = 1 %);
-- basis 'flat': value is rupiah per month.
CREATE TABLE rates (
	program     TEXT NOT NULL,
	basis       TEXT NOT NULL CHECK (basis IN ('percent', 'flat')),
	value       INTEGER NOT NULL,
	valid_from  TEXT NOT NULL,
	valid_to    TEXT,               -- inclusive; NULL while in force
	regulation  TEXT NOT NULL,
	PRIMARY KEY (program, valid_from)
);

CREATE TABLE regions (               -- kode wilayah (Kepmendagri 300.2.2/2025)
	code  TEXT PRIMARY KEY,
	name  TEXT NOT NULL,
	level TEXT NOT NULL              -- city, district, kelurahan
) WITHOUT ROWID;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT
) WITHOUT ROWID;

-- sinkron's bookkeeping -------------------------------------------------------------------

-- The tables whose changes are captured and synced; the capture triggers are generated from
-- their definitions (PRAGMA table_info) when the schema is created or migrated.
CREATE TABLE sk_tables (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
INSERT INTO sk_tables VALUES (1, 'workers'), (2, 'heirs'), (3, 'enrolments');

-- Every committed insert, update and delete of a synced table, written by the triggers in the
-- writer's own transaction.  cols: bit i set when column i (PRAGMA table_info order, id and _sk
-- left out) changed; NULL for an insert (all columns).  Values are read from the row when the
-- change is sealed, so a row changed five times before a seal travels once, with its clock.
-- seq starts again at 1 after a seal empties the outbox (AUTOINCREMENT would cost a write of
-- sqlite_sequence per captured row); sealing adds sk_state's seq_base, so the outbox ranges
-- change-sets carry keep growing.
CREATE TABLE sk_outbox (
	seq      INTEGER PRIMARY KEY,
	tbl      INTEGER NOT NULL,
	pk       TEXT NOT NULL,
	op       INTEGER NOT NULL,          -- 1 insert, 2 update, 3 delete
	cols     INTEGER,
	at       INTEGER NOT NULL,          -- wall clock, ms since the epoch
	operator TEXT,                      -- NULL: written outside sinkron (e.g. the sqlite3 shell)
	old      BLOB                       -- deletes: the row's _sk, to take its hash out of the digest
);

-- One row.  `applying` is set only inside sinkron's own apply transactions so that rows it
-- merges in are not captured again; `operator` is set by sinkron for the duration of a write.
CREATE TABLE sk_ctx (
	one      INTEGER PRIMARY KEY CHECK (one = 1),
	applying INTEGER NOT NULL DEFAULT 0,
	operator TEXT
);
INSERT INTO sk_ctx (one) VALUES (1);

-- The clock, the digest and the branch tip, updated in the transactions that seal and apply.
CREATE TABLE sk_state (
	key   TEXT PRIMARY KEY,
	value
) WITHOUT ROWID;

-- Deleted rows, so a late change to a deleted row cannot bring it back.
CREATE TABLE sk_tombstones (
	tbl    INTEGER NOT NULL,
	pk     TEXT NOT NULL,
	hlc    INTEGER NOT NULL,
	origin TEXT NOT NULL,
	PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;

-- Every change-set this database holds: sealed here or applied from elsewhere.
CREATE TABLE sk_changesets (
	id        TEXT PRIMARY KEY,          -- git blob id of the change-set
	origin    TEXT NOT NULL,
	number    INTEGER NOT NULL,
	commit_id TEXT,                      -- the commit that carries it
	hlc_max   INTEGER NOT NULL,
	rows      INTEGER NOT NULL,
	bytes     INTEGER NOT NULL,
	digest    TEXT NOT NULL,             -- the origin's digest after it
	at        INTEGER NOT NULL,          -- when it was sealed or applied here, ms
	local     INTEGER NOT NULL           -- 1 sealed here, 0 applied from elsewhere
) WITHOUT ROWID;
CREATE UNIQUE INDEX sk_changesets_origin ON sk_changesets(origin, number);
