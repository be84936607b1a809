-- 004-digest-tables.sql: which synced tables the state digest covers.  Receipts are the city's
-- messages about the data, not the data: a district always holds the receipt of one round
-- before the city's latest, so counting them would keep a district's digest and the city's
-- copy of it apart for ever.
ALTER TABLE sk_tables ADD COLUMN in_digest INTEGER NOT NULL DEFAULT 1;
UPDATE sk_tables SET in_digest = 0 WHERE name = 'receipts';
