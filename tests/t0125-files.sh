#!/bin/bash
# t0125-files: the files a clerk's spreadsheet program reads and writes.  The reject file is never the
# file being imported; it is written in the input's own dialect and encoding (';' with a BOM in, ';'
# with a BOM out; Windows-1252 in, Windows-1252 out), never through a symlink, every original column
# kept with the reason; a UTF-8 file with one damaged byte has that line refused and named instead of
# being read as Windows-1252; `worker search` takes % and _ as letters.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

q() { sqlite3 sinkron.db "$1"; }
$SINKRON init 96.71.01 >/dev/null 2>&1 || skip_all "init failed"

# ---- the reject file is never the input
printf 'NIK,Nama,Jenis Kelamin,Tanggal Lahir,Kelurahan\n9671010101900001,Anton Kambu,L,01/01/1990,Remu\n123,Salah NIK,L,01/01/1990,Remu\n9671010202900002,Budi Kambu,L,02/02/1990,Remu\n' >in.csv
cp in.csv in.orig
$SINKRON import in.csv --reject in.csv >out 2>err; rc=$?
check "import F --reject F: refused (exit 2), saying why" '[ $rc -eq 2 ] && grep -q "is the file being imported" err'
check "... the input is intact and nothing was imported" 'cmp -s in.csv in.orig && [ "$(q "SELECT count(*) FROM workers")" = 0 ]'
ln -s in.csv alias.csv
$SINKRON import in.csv --reject alias.csv >out 2>err; rc=$?
check "... also through another name for the same file" '[ $rc -eq 2 ] && cmp -s in.csv in.orig'
# ---- a reject path that is a symlink: replaced, its target never written
echo "keep me" >target.txt; ln -s target.txt rej.csv
$SINKRON import in.csv --reject rej.csv >out 2>err; rc=$?
check "import with a reject file that is a symlink: the good rows go in, exit 2" '[ $rc -eq 2 ] && [ "$(q "SELECT count(*) FROM workers")" = 2 ]'
check "... the link's target is untouched; the reject file is a file of its own, 0600" '[ "$(cat target.txt)" = "keep me" ] && [ ! -L rej.csv ] && [ "$(stat -c %a rej.csv)" = 600 ] && grep -q "^3,123,Salah NIK" rej.csv'

# ---- the dialect of the input: ';', UTF-8 BOM, CRLF (what an Indonesian Excel saves as "CSV UTF-8")
printf '\xef\xbb\xbfNIK;Nama;Jenis Kelamin;Tanggal Lahir;Kelurahan;Pekerjaan\r\n9671010303900003;Yohanes Rumbiak;L;03/03/1990;Remu;Nelayan\r\n99;Maria Suébu;P;04/04/1990;Remu;=1+2\r\n' >excel.csv
$SINKRON import excel.csv >out 2>err; rc=$?
check "a ';' CSV with a BOM: the good row in, the bad one rejected (exit 2)" '[ $rc -eq 2 ] && [ -f excel.rejected.csv ]'
check "... the reject file starts with a BOM, uses ';' and CRLF" '[ "$(head -c 3 excel.rejected.csv | od -An -tx1 | tr -d " ")" = efbbbf ] && head -1 excel.rejected.csv | grep -q "^.*Baris;NIK;Nama;Jenis Kelamin;Tanggal Lahir;Kelurahan;Pekerjaan;Alasan"$'"'"'\r'"'"'"$"'
check "... the row keeps every original column, the name intact in UTF-8, a formula neutralised, and the reason" 'grep -q "^3;99;Maria Suébu;P;04/04/1990;Remu;'"'"'=1+2;\"NIK: " excel.rejected.csv'
# the clerk corrects the NIK in the reject file and imports it again: the row goes in as written
sed -i 's/^3;99;/3;9671014404900004;/' excel.rejected.csv
$SINKRON import excel.rejected.csv >out 2>err; rc=$?
check "the corrected reject file imports (its Baris and Alasan columns ignored), the formula cell read back as typed" '[ $rc -eq 0 ] && [ "$(q "SELECT name || \"|\" || occupation FROM workers WHERE nik = \"9671014404900004\"")" = "Maria Suébu|=1+2" ]'

# ---- Windows-1252 in, Windows-1252 out
printf 'NIK,Nama,Jenis Kelamin,Tanggal Lahir,Kelurahan\r\n9671010505900005,Jos\xe9 Mambor,L,05/05/1990,Remu\r\n55,Ren\xe9 Salah,L,05/05/1990,Remu\r\n' >ansi.csv
$SINKRON import ansi.csv >out 2>err; rc=$?
check "a Windows-1252 file: read as such, the bad row rejected" '[ $rc -eq 2 ] && [ "$(q "SELECT name FROM workers WHERE nik = \"9671010505900005\"")" = "José Mambor" ]'
check "... the reject file is Windows-1252 too, with commas and no BOM" 'grep -q "^3,55,Ren"$'"'"'\xe9'"'"'" Salah," ansi.rejected.csv && [ "$(head -c 4 ansi.rejected.csv)" = "Bari" ]'

# ---- a UTF-8 file with one stray byte: that line refused and named, the rest read as UTF-8
printf 'NIK,Nama,Jenis Kelamin,Tanggal Lahir,Kelurahan\n9671010606900006,Théo Wanma,L,06/06/1990,Remu\n9671010707900007,Ans\xe9lmus Kaisiepo,L,07/07/1990,Remu\n9671014808900008,Élisabet Rumere,P,08/08/1990,Remu\n' >stray.csv
$SINKRON import stray.csv >out 2>err; rc=$?
check "a UTF-8 file with one stray byte: exit 2, the line named" '[ $rc -eq 2 ] && grep -q "^line 3: error: .*line 3: the file is UTF-8 but this line holds a byte that is not (0xe9)" err'
check "... that row is not stored garbled; the others are, in UTF-8" '[ "$(q "SELECT count(*) FROM workers WHERE nik = \"9671010707900007\"")" = 0 ] && [ "$(q "SELECT name FROM workers WHERE nik IN (\"9671010606900006\", \"9671014808900008\") ORDER BY nik")" = "$(printf "Théo Wanma\nÉlisabet Rumere")" ]'
check "... and no note that rows were read as Windows-1252" '! grep -q "Windows-1252" err'

# ---- a sheet as field officers make it: title lines above the header, "Tempat/Tgl Lahir" in one column
# with an Indonesian month name, "Rp 1.500.000"
printf 'DAFTAR PEKERJA RENTAN KELURAHAN REMU\r\nDISTRIK SORONG, TAHUN 2026\r\n\r\nNo;NIK;Nama Lengkap;Tempat/Tgl Lahir;L/P;Kelurahan;Penghasilan\r\n1;9671011010900010;Karel Mandowen;Sorong, 10 Oktober 1990;L;Remu;Rp 1.500.000\r\n2;9671015111900011;Ruth Sawaki;Biak, 11 Nopember 1990;P;Remu;Rp1.250.000,-\r\n' >titled.csv
out=$($SINKRON import titled.csv 2>err); rc=$?
check "a sheet with title lines above its header: imported" '[ $rc -eq 0 ] && [[ "$out" == *"2 added"* ]]'
check "... place and date from one column, Indonesian months, rupiah with dots" '[ "$(q "SELECT group_concat(birth_place || \"|\" || birth_date || \"|\" || income, \" \") FROM (SELECT * FROM workers WHERE nik IN (\"9671011010900010\", \"9671015111900011\") ORDER BY nik)")" = "Sorong|1990-10-10|1500000 Biak|1990-11-11|1250000" ]'
printf 'LAPORAN\nTANPA KOLOM\nApa;Ini\n1;2\n' >nohead.csv
$SINKRON import nohead.csv >out 2>err; rc=$?
check "a sheet with no header line at all: refused, nothing imported" '[ $rc -eq 2 ] && grep -q "header lacks" err'

# ---- worker search takes % and _ as they are
check "worker search %: nobody (no name holds a %)" '[ -z "$($SINKRON worker search % 2>/dev/null)" ]'
check "worker search _: nobody" '[ -z "$($SINKRON worker search _ 2>/dev/null)" ]'
$SINKRON worker add --nik 9671010909900009 --name "Anton 100% Kambu" --birth-date 09/09/1990 --sex L --kelurahan Remu >/dev/null 2>&1
n100=$(q "SELECT count(*) FROM workers WHERE name LIKE '%100\%%' ESCAPE '\'")
check "worker search 100%: only a name that holds it" '[ "$($SINKRON worker search 100% 2>/dev/null | wc -l)" = "$n100" ] && $SINKRON worker search "Anton" 2>/dev/null | grep -q Kambu'
finish
