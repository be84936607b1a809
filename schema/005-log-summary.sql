-- 005-log-summary.sql: what each change-set did, in words, for `sinkron log`
-- ("230 workers added, 10 enrolments changed" when sealed here; per table when received).
ALTER TABLE sk_changesets ADD COLUMN summary TEXT;
