-- 003-city.sql: what the city decides and how it tells the districts.
-- Some columns are the city's: a district never writes them, and the city writes nothing else
-- of a district's record (sk_city_columns; '*' is a whole table).  The city's change-sets carry
-- them to the record's district.

-- The record that stays when the same person was registered twice (same NIK, two districts
-- or twice in one): set by the city on the other records.
ALTER TABLE workers ADD COLUMN duplicate_of TEXT;

-- Receipts: after each consolidation the city tells each district the last change-set it
-- applied and the digest of that district's data as the city holds it.  id: the district code.
CREATE TABLE receipts (
	id              TEXT PRIMARY KEY,
	owner           TEXT,
	last_number     INTEGER,   -- the district's change-set number
	last_commit     TEXT,
	sealed_at       INTEGER,   -- when the district sealed it (its clock), ms
	digest          TEXT,      -- the district's data at the city after it, hex
	consolidated_at INTEGER,   -- when the city applied it (the city's clock), ms
	_sk             BLOB
);
INSERT INTO sk_tables VALUES (4, 'receipts');

CREATE TABLE sk_city_columns (
	tbl TEXT NOT NULL,
	col TEXT NOT NULL,
	PRIMARY KEY (tbl, col)
) WITHOUT ROWID;
INSERT INTO sk_city_columns VALUES
	('workers', 'kpj'), ('workers', 'verified'), ('workers', 'duplicate_of'), ('receipts', '*');

-- Change-sets the city refused, with the reason; that district's later change-sets wait
-- behind a held one.  state: held, released (apply it without the clock and digest checks),
-- rejected (skip it for good).
CREATE TABLE sk_quarantine (
	id        TEXT PRIMARY KEY,        -- git blob id of the change-set
	origin    TEXT NOT NULL,
	number    INTEGER,
	commit_id TEXT NOT NULL,
	reason    TEXT NOT NULL,
	at        INTEGER NOT NULL,
	state     TEXT NOT NULL DEFAULT 'held',
	decided_by TEXT,
	decided_at INTEGER
) WITHOUT ROWID;

-- The digest of each district's rows in this database, kept up to date with the total one:
-- what the city compares with the digest a district recorded, and sends back in receipts.
CREATE TABLE sk_digests (
	owner  TEXT PRIMARY KEY,
	digest BLOB NOT NULL
) WITHOUT ROWID;
