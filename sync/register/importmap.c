/*
 * importmap.c: which column of an imported spreadsheet holds which worker field, found from
 * the header as people write it in Bahasa Indonesia or English, and one CSV record turned
 * into a checked worker.  Also the empty import template.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "csv.h"
#include "validate.h"

/* Aliases in folded form: lower case, without spaces, dots, underscores, slashes, dashes,
 * commas. */
static const struct {
	int col;
	const char *alias;
} aliases[] = {
	{SK_COL_NIK, "nik"}, {SK_COL_NIK, "nonik"}, {SK_COL_NIK, "nomornik"},
	{SK_COL_NIK, "nomorindukkependudukan"}, {SK_COL_NIK, "nikktp"}, {SK_COL_NIK, "noktp"},
	{SK_COL_NIK, "nomorktp"}, {SK_COL_NIK, "ktp"}, {SK_COL_NIK, "nikpeserta"},
	{SK_COL_KK, "nokk"}, {SK_COL_KK, "nomorkk"}, {SK_COL_KK, "nokartukeluarga"},
	{SK_COL_KK, "nomorkartukeluarga"}, {SK_COL_KK, "kartukeluarga"}, {SK_COL_KK, "kk"},
	{SK_COL_KK, "familycard"}, {SK_COL_KK, "familycardnumber"},
	{SK_COL_NAME, "nama"}, {SK_COL_NAME, "namalengkap"}, {SK_COL_NAME, "namapeserta"},
	{SK_COL_NAME, "namapekerja"}, {SK_COL_NAME, "name"}, {SK_COL_NAME, "fullname"},
	{SK_COL_BIRTH_PLACE, "tempatlahir"}, {SK_COL_BIRTH_PLACE, "tmplahir"},
	{SK_COL_BIRTH_PLACE, "tmptlahir"}, {SK_COL_BIRTH_PLACE, "placeofbirth"},
	{SK_COL_BIRTH_PLACE, "birthplace"},
	{SK_COL_BIRTH_DATE, "tanggallahir"}, {SK_COL_BIRTH_DATE, "tgllahir"},
	{SK_COL_BIRTH_DATE, "tgllhr"}, {SK_COL_BIRTH_DATE, "tanggallhr"},
	{SK_COL_BIRTH_DATE, "dateofbirth"}, {SK_COL_BIRTH_DATE, "dob"},
	{SK_COL_BIRTH_DATE, "birthdate"}, {SK_COL_BIRTH_DATE, "birthday"},
	{SK_COL_SEX, "jeniskelamin"}, {SK_COL_SEX, "jk"}, {SK_COL_SEX, "lp"},
	{SK_COL_SEX, "kelamin"}, {SK_COL_SEX, "sex"}, {SK_COL_SEX, "gender"},
	{SK_COL_ADDRESS, "alamat"}, {SK_COL_ADDRESS, "alamatlengkap"},
	{SK_COL_ADDRESS, "alamatrumah"}, {SK_COL_ADDRESS, "address"},
	{SK_COL_KELURAHAN, "kelurahan"}, {SK_COL_KELURAHAN, "kel"},
	{SK_COL_KELURAHAN, "desakelurahan"}, {SK_COL_KELURAHAN, "kelurahandesa"},
	{SK_COL_KELURAHAN, "village"},
	{SK_COL_PHONE, "nohp"}, {SK_COL_PHONE, "nomorhp"}, {SK_COL_PHONE, "hp"},
	{SK_COL_PHONE, "notelp"}, {SK_COL_PHONE, "notelepon"}, {SK_COL_PHONE, "nomortelepon"},
	{SK_COL_PHONE, "telp"}, {SK_COL_PHONE, "telepon"}, {SK_COL_PHONE, "nohpwa"},
	{SK_COL_PHONE, "wa"}, {SK_COL_PHONE, "nowa"}, {SK_COL_PHONE, "nomorwa"},
	{SK_COL_PHONE, "handphone"}, {SK_COL_PHONE, "phone"}, {SK_COL_PHONE, "phonenumber"},
	{SK_COL_PHONE, "mobile"}, {SK_COL_PHONE, "mobilephone"},
	{SK_COL_OCCUPATION, "pekerjaan"}, {SK_COL_OCCUPATION, "jenispekerjaan"},
	{SK_COL_OCCUPATION, "profesi"}, {SK_COL_OCCUPATION, "occupation"},
	{SK_COL_OCCUPATION, "job"},
	{SK_COL_WORKPLACE, "tempatkerja"}, {SK_COL_WORKPLACE, "lokasikerja"},
	{SK_COL_WORKPLACE, "lokasiusaha"}, {SK_COL_WORKPLACE, "tempatusaha"},
	{SK_COL_WORKPLACE, "alamatusaha"}, {SK_COL_WORKPLACE, "workplace"},
	{SK_COL_INCOME, "penghasilan"}, {SK_COL_INCOME, "upah"},
	{SK_COL_INCOME, "penghasilanperbulan"}, {SK_COL_INCOME, "penghasilanbulanan"},
	{SK_COL_INCOME, "upahperbulan"}, {SK_COL_INCOME, "pendapatan"},
	{SK_COL_INCOME, "income"}, {SK_COL_INCOME, "monthlyincome"},
	{SK_COL_TTL, "ttl"}, {SK_COL_TTL, "tempattanggallahir"}, {SK_COL_TTL, "tempattgllahir"},
};

static const char *const col_names[SK_COL_COUNT] = {
	SK_F_NIK, SK_F_KK, SK_F_NAME, SK_F_BIRTH_PLACE, SK_F_BIRTH_DATE, SK_F_SEX, SK_F_ADDRESS,
	SK_F_KELURAHAN, SK_F_PHONE, SK_F_OCCUPATION, SK_F_WORKPLACE, SK_F_INCOME, "TTL",
};

int sk_import_column(const char *header)
{
	char key[64];
	size_t k = 0;
	int paren = 0;

	/* a note in brackets ("Tanggal Lahir (DD/MM/YYYY)") or a required-field star is not
	 * part of the name */
	for (const char *p = header; *p && k + 1 < sizeof(key); p++) {
		if (*p == '(' || *p == '[')
			paren++;
		else if ((*p == ')' || *p == ']') && paren)
			paren--;
		else if (!paren && !strchr(" \t._/-*:,", *p))
			key[k++] = (char)tolower((unsigned char)*p);
	}
	key[k] = '\0';
	for (size_t i = 0; i < SK_ARRAY_SIZE(aliases); i++)
		if (!strcmp(key, aliases[i].alias))
			return aliases[i].col;
	return -1;
}

void sk_import_map_release(struct sk_import_map *m)
{
	for (size_t i = 0; i < m->nunknown; i++)
		free(m->unknown[i]);
	free(m->unknown);
	m->unknown = NULL;
	m->nunknown = 0;
}

int sk_import_map_header(struct sk_import_map *out, const char *const *header, size_t n)
{
	static const int required[] = {SK_COL_NIK, SK_COL_NAME, SK_COL_BIRTH_DATE, SK_COL_SEX,
				       SK_COL_KELURAHAN};
	struct sk_buf missing = SK_BUF_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < SK_COL_COUNT; i++)
		out->col[i] = -1;
	out->ncols = n;
	out->unknown = sk_calloc(n ? n : 1, sizeof(*out->unknown));
	for (size_t i = 0; i < n; i++) {
		const char *h = header[i] ? header[i] : "";
		int col = sk_import_column(h);
		if (col < 0) {
			/* the line number and reason columns of sinkron's own reject file */
			if (*h && strcmp(h, "Baris") && strcmp(h, "Alasan"))
				out->unknown[out->nunknown++] = sk_strdup(h);
			continue;
		}
		if (out->col[col] >= 0) {
			rc = sk_error(SK_EINVALID, "columns %d ('%s') and %zu ('%s') both give %s",
				      out->col[col] + 1, header[out->col[col]], i + 1, h,
				      col_names[col]);
			goto done;
		}
		out->col[col] = (int)i;
	}
	for (size_t i = 0; i < SK_ARRAY_SIZE(required); i++) {
		int col = required[i];
		if (out->col[col] >= 0 || (col == SK_COL_BIRTH_DATE && out->col[SK_COL_TTL] >= 0))
			continue;
		sk_buf_printf(&missing, "%s%s", missing.len ? ", " : "", col_names[col]);
	}
	if (missing.len)
		rc = sk_error_do(SK_EINVALID, SK_DO_IMPORT_COLUMNS, NULL, "the header lacks the column%s %s: the first line must "
			      "name the columns",
			      strchr((char *)missing.ptr, ',') ? "s" : "", (char *)missing.ptr);
done:
	sk_buf_release(&missing);
	return rc;
}

int sk_import_row(struct sk_worker *out, struct sk_issues *is, const struct sk_import_map *m,
		  const struct sk_validate_ctx *ctx, const char *const *fields, size_t n)
{
	const char *v[SK_COL_COUNT];
	struct sk_worker_input in;
	size_t extra = 0;

	for (int i = 0; i < SK_COL_COUNT; i++)
		v[i] = m->col[i] >= 0 && (size_t)m->col[i] < n ? fields[m->col[i]] : NULL;
	for (size_t i = m->ncols; i < n; i++)
		extra += fields[i] && *fields[i];
	if (extra)
		sk_issues_add(is, 1, SK_F_ROW, "the row has %zu cells but the header %zu: is there "
			      "an unquoted delimiter inside a value?", n, m->ncols);
	in = (struct sk_worker_input){
		.nik = v[SK_COL_NIK], .kk = v[SK_COL_KK], .name = v[SK_COL_NAME],
		.birth_place = v[SK_COL_BIRTH_PLACE], .birth_date = v[SK_COL_BIRTH_DATE],
		.sex = v[SK_COL_SEX], .address = v[SK_COL_ADDRESS],
		.kelurahan = v[SK_COL_KELURAHAN], .phone = v[SK_COL_PHONE],
		.occupation = v[SK_COL_OCCUPATION], .workplace = v[SK_COL_WORKPLACE],
		.income = v[SK_COL_INCOME], .ttl = v[SK_COL_TTL],
	};
	return sk_worker_from_input(out, is, &in, ctx);
}

int sk_import_template(FILE *f)
{
	static const char *const header[] = {
		"NIK", "No KK", "Nama Lengkap", "Tempat Lahir", "Tanggal Lahir", "Jenis Kelamin",
		"Alamat", "Kelurahan", "No HP", "Pekerjaan", "Tempat Kerja", "Penghasilan",
	};
	return sk_csv_write_row(f, header, SK_ARRAY_SIZE(header));
}
