-- 007-export-columns.sql: the columns of the file sent to BPJS Ketenagakerjaan, in order: a
-- heading and the field it holds.  A city changes the headings, their order or which fields
-- go out by changing these rows (`sinkron export --columns` lists them and the fields known).
-- Not synced: each database holds its own layout.
CREATE TABLE export_columns (
	pos    INTEGER PRIMARY KEY,
	header TEXT NOT NULL,
	field  TEXT NOT NULL
);
INSERT INTO export_columns VALUES
	(1, 'NIK', 'nik'), (2, 'No KK', 'kk'), (3, 'Nama Lengkap', 'name'), (4, 'Tempat Lahir', 'birth_place'),
	(5, 'Tanggal Lahir', 'birth_date'), (6, 'Jenis Kelamin', 'sex'), (7, 'Alamat', 'address'),
	(8, 'Kelurahan', 'kelurahan'), (9, 'Kecamatan', 'kecamatan'), (10, 'Kabupaten/Kota', 'city'),
	(11, 'No HP', 'phone'), (12, 'Pekerjaan', 'occupation'), (13, 'Lokasi Kerja', 'workplace'),
	(14, 'Penghasilan', 'income'), (15, 'Program', 'program'), (16, 'Tanggal Mulai', 'start'),
	(17, 'Sumber Dana', 'funder'), (18, 'KPJ', 'kpj'), (19, 'Nama Ahli Waris', 'heir_name'),
	(20, 'NIK Ahli Waris', 'heir_nik'), (21, 'Hubungan Ahli Waris', 'heir_relationship'),
	(22, 'No HP Ahli Waris', 'heir_phone'), (23, 'Ahli Waris Lain', 'heirs_other'),
	(24, 'Tanggal Berakhir', 'end_date'), (25, 'Alasan Berakhir', 'end_reason');
