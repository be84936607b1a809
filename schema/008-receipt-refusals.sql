-- 006-receipt-refusals.sql: a receipt also says what the city refused of the district, so the
-- district is never left believing it is in step: the change-set held in quarantine (with that
-- district's later ones waiting behind it) or rejected for good, and the reason in words.
ALTER TABLE receipts ADD COLUMN refused_number INTEGER;  -- NULL: nothing refused
ALTER TABLE receipts ADD COLUMN refused_state TEXT;      -- held | rejected
ALTER TABLE receipts ADD COLUMN refused_reason TEXT;
