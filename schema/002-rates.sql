-- 002-rates.sql: premium rates for non-wage-earner (BPU) participants of BPJS Ketenagakerjaan.
-- JKK is 1 % of the declared income bracket, JKM Rp6,800 a month, JHT (optional) 2 %:
-- PP 44/2015 as amended by PP 82/2019 (JKK, JKM) and PP 46/2015 (JHT); Permenaker 5/2021 for BPU.
-- Kept as data: a new regulation is a new row with its valid_from, and the old row gets valid_to.
INSERT INTO rates VALUES
	('JKK', 'percent', 100, '2015-07-01', NULL, 'PP 44/2015 jo. PP 82/2019; Permenaker 5/2021'),
	('JKM', 'flat', 6800, '2015-07-01', NULL, 'PP 44/2015 jo. PP 82/2019; Permenaker 5/2021'),
	('JHT', 'percent', 200, '2015-07-01', NULL, 'PP 46/2015; Permenaker 5/2021');
