-- 006-funders.sql: who pays, and on what terms, as data.  Each funder has its scheme: the
-- programmes it pays, the income bracket it pays at (NULL: the bracket the worker declared),
-- the ages it covers, and how far back a start date may go without a recorded decision.  A city
-- changes or adds its own with `sinkron funder add|set`; names are compared without case, so
-- "APBD kota" is "APBD Kota".  Not synced: each database holds the schemes it bills by, like
-- the rates.
CREATE TABLE funders (
	name            TEXT PRIMARY KEY COLLATE NOCASE,
	kind            TEXT NOT NULL CHECK (kind IN ('apbd', 'csr', 'self', 'other')),
	programs        TEXT NOT NULL,           -- 'JKK+JKM': the programmes the scheme pays
	bracket         INTEGER,                 -- rupiah; NULL: the worker's declared bracket
	age_min         INTEGER,                 -- NULL: no limit
	age_max         INTEGER,
	age_rule        TEXT NOT NULL DEFAULT 'refuse' CHECK (age_rule IN ('refuse', 'warn')),
	backdate_months INTEGER NOT NULL DEFAULT 0, -- months before this one a start may lie in
	regulation      TEXT,
	active          INTEGER NOT NULL DEFAULT 1
);
-- Pekerja rentan paid from a regional budget (Inpres 2/2021): JKK + JKM only, at the lowest
-- bracket, whatever the worker declared: Rp16,800 a person a month; ages 18 to 65.
INSERT INTO funders VALUES
	('APBD Kota', 'apbd', 'JKK+JKM', 1000000, 18, 65, 'refuse', 0, 'Inpres 2/2021; Perwali/SK Walikota', 1),
	('APBD Kabupaten', 'apbd', 'JKK+JKM', 1000000, 18, 65, 'refuse', 0, 'Inpres 2/2021; Perbup/SK Bupati', 1),
	('APBD Provinsi', 'apbd', 'JKK+JKM', 1000000, 18, 65, 'refuse', 0, 'Inpres 2/2021; Pergub/SK Gubernur', 1),
	('Mandiri', 'self', 'JKK+JKM+JHT', NULL, 15, 65, 'warn', 0, 'Permenaker 5/2021 (peserta BPU)', 1);
-- Funders typed freely before this table: kept, priced as before (the declared bracket), so an
-- existing bill does not change without a person deciding their scheme.
INSERT OR IGNORE INTO funders (name, kind, programs, bracket, age_rule, regulation)
	SELECT DISTINCT funder, 'other', 'JKK+JKM+JHT', NULL, 'warn', NULL FROM enrolments WHERE funder IS NOT NULL;

-- JKK is a percentage of a bracket never below the lowest one (Rp1,000,000: JKK Rp10,000).
ALTER TABLE rates ADD COLUMN min_base INTEGER;
UPDATE rates SET min_base = 1000000 WHERE basis = 'percent';

-- An enrolment whose start lies further back than its scheme allows names the decision that
-- allowed it (a decree number, a minute), so no month is billed retroactively unnoticed.
ALTER TABLE enrolments ADD COLUMN decision TEXT;
-- Why an enrolment ended (a worker's end, a change of bracket or funder, one programme ended).
ALTER TABLE enrolments ADD COLUMN end_reason TEXT;
