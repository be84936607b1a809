#!/usr/bin/env bash
# t0580-excel: Excel both ways, with files made by a real spreadsheet program.  LibreOffice (headless)
# turns the test CSVs into .xlsx and .xls (dates and incomes as numbers, the rest as text, as an office
# keeps NIKs); each imports with exactly the result of the CSV.  The rows rejected from a workbook come
# back as an .xlsx that LibreOffice reads with every original column and the reason; an .xlsx export
# reads back in LibreOffice as the CSV export does, a formula-like cell as text.  A hostile or broken
# workbook (cut short, a zip bomb, an XML entity expansion, a million empty rows) is refused with a
# clear error, within 15 s and 300 MB, and nothing is imported.
. "$(dirname "$0")/lib.sh"

S=$SINKRON
need_pkg soffice libreoffice-calc-nogui || skip_all "no LibreOffice (soffice)"
need_pkg python3 python3 || skip_all "no python3"
export HOME=$TMP   # LibreOffice's profile
lo() { soffice --headless --norestore "-env:UserInstallation=file://$TMP/lo" "$@" >lo.log 2>&1; }
# NIK, No KK and the other text columns as text (2); Tanggal Lahir a D/M/Y date (4); Penghasilan a number (1)
# (the bad file keeps every column text: LibreOffice would itself "correct" 26/1O/1972 and 08/13/1996
# into dates, and the comparison is of sinkron's reading, not LibreOffice's)
FILTER="CSV:44,34,76,1,1/2/2/2/3/2/4/2/5/4/6/2/7/2/8/2/9/2/10/2/11/2/12/1"
TEXT="CSV:44,34,76,1,1/2/2/2/3/2/4/2/5/2/6/2/7/2/8/2/9/2/10/2/11/2/12/2"
cp "$TOP/tests/data/workers-good.csv" good.csv
cp "$TOP/tests/data/workers-bad.csv" bad.csv
lo --convert-to xlsx:"Calc MS Excel 2007 XML" --infilter="$FILTER" good.csv
lo --convert-to xls:"MS Excel 97" --infilter="$FILTER" good.csv
lo --convert-to xlsx:"Calc MS Excel 2007 XML" --infilter="$TEXT" bad.csv
lo --convert-to xls:"MS Excel 97" --infilter="$TEXT" bad.csv
check "LibreOffice made the .xlsx and .xls files" '[ -s good.xlsx ] && [ -s good.xls ] && [ -s bad.xlsx ] && [ -s bad.xls ] && [ "$(head -c 2 good.xlsx)" = PK ]'

dump() { sqlite3 "$1" "SELECT nik, kk, name, birth_place, birth_date, sex, address, kelurahan, phone, occupation, workplace, income FROM workers ORDER BY nik"; }
for f in good.csv good.xlsx good.xls bad.csv bad.xlsx bad.xls; do
	"$S" -q --db "$f.db" init 96.71.01 >/dev/null
	"$S" --db "$f.db" import "$f" >"$f.out" 2>"$f.err"
	echo $? >"$f.rc"
	dump "$f.db" >"$f.dump"
done
check "the good .xlsx imports exactly as the CSV (every field of every worker)" '[ "$(cat good.xlsx.rc)" = 0 ] && [ -s good.csv.dump ] && cmp -s good.csv.dump good.xlsx.dump'
check "the good .xls imports exactly as the CSV" '[ "$(cat good.xls.rc)" = 0 ] && cmp -s good.csv.dump good.xls.dump'
check "the bad .xlsx: the same rows in and out as the CSV, exit 2" '[ "$(cat bad.xlsx.rc)" = 2 ] && cmp -s bad.csv.dump bad.xlsx.dump && [ "$(sed -n "s/.* \([0-9]*\) rejected.*/\1/p" bad.xlsx.out)" = "$(sed -n "s/.* \([0-9]*\) rejected.*/\1/p" bad.csv.out)" ]'
check "the bad .xls: the same" '[ "$(cat bad.xls.rc)" = 2 ] && cmp -s bad.csv.dump bad.xls.dump'
check "the same problems are reported, line by line" '[ "$(grep -c "^line" bad.csv.err)" -gt 0 ] && diff <(grep "^line" bad.csv.err) <(grep "^line" bad.xlsx.err) >/dev/null'

# the rejected rows of a workbook come back as a workbook, read by LibreOffice
check "the rows rejected from bad.xlsx are in bad.rejected.xlsx, 0600" '[ -s bad.rejected.xlsx ] && [ "$(stat -c %a bad.rejected.xlsx)" = 600 ] && grep -q "bad.rejected.xlsx" bad.xlsx.out'
mkdir back && lo --convert-to csv:"Text - txt - csv (StarCalc)":44,34,76 --outdir back bad.rejected.xlsx
check "LibreOffice reads it: Baris, every original column, Alasan" '[ "$(head -1 back/bad.rejected.csv | tr -d "\r")" = "Baris,$(head -1 bad.csv | tr -d "\r"),Alasan" ]'
nrej=$(sed -n 's/.* \([0-9]*\) rejected.*/\1/p' bad.csv.out)
check "... one line per rejected row ($nrej), each with its reason" '[ "$(($(wc -l <back/bad.rejected.csv) - 1))" = "$nrej" ] && [ "$(tail -n +2 back/bad.rejected.csv | grep -c ",\"\?[A-Za-z ]*: ")" -gt 0 ]'

# an .xlsx export, read back by LibreOffice
"$S" -q --db good.csv.db enrol "$(sqlite3 good.csv.db "SELECT id FROM workers ORDER BY nik LIMIT 1")" --program JKK+JKM --funder "APBD Kota" >/dev/null
"$S" -q --db good.csv.db worker edit "$(sqlite3 good.csv.db "SELECT id FROM workers ORDER BY nik LIMIT 1")" --occupation "=1+2" >/dev/null 2>&1
check_exit "export to .xlsx" 0 "$S" --db good.csv.db export out.xlsx
check "... a workbook, 0600" '[ "$(head -c 2 out.xlsx)" = PK ] && [ "$(stat -c %a out.xlsx)" = 600 ]'
lo --convert-to csv:"Text - txt - csv (StarCalc)":59,34,76 --outdir back out.xlsx
"$S" --db good.csv.db export --comma exp.csv 2>/dev/null
check "LibreOffice reads the .xlsx export as the CSV export: headings and cells, NIK with its 16 digits" '[ "$(tr -d "\r" <back/out.csv | head -1)" = "$(tr -d "\r" <exp.csv | head -1 | tr , ";")" ] && tr -d "\r" <back/out.csv | grep -q "^$(sqlite3 good.csv.db "SELECT nik FROM workers ORDER BY nik LIMIT 1");"'
check "... the formula-like cell is text, not computed" 'grep -q ";=1+2;" back/out.csv && ! grep -q ";3;" back/out.csv'

# the report's tables as the sheets of one workbook: LibreOffice reads its first sheet, the budget
"$S" -q --db good.csv.db budget set "$(date +%Y)" 1000000 --funder "APBD Kota" >/dev/null 2>&1
check_exit "report --xlsx" 0 "$S" --db good.csv.db report --xlsx report.xlsx
lo --convert-to csv:"Text - txt - csv (StarCalc)":44,34,76 --outdir back report.xlsx
check "... a workbook (0600) whose first sheet LibreOffice reads: the budget table" '[ "$(stat -c %a report.xlsx)" = 600 ] && head -1 back/report.csv | grep -q "^funder,year,budget,bill_year," && grep -q "^APBD Kota,$(date +%Y),1000000," back/report.csv'

# ---- hostile and broken workbooks ----
python3 - <<'PY'
import zipfile
ct = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>'
wb = '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
rels = '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
head = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
def cells(r, vals):
    return '<row r="%d">' % r + ''.join('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + i), r, v) for i, v in enumerate(vals)) + '</row>'
hdr = cells(1, ['NIK', 'Nama', 'Tanggal Lahir', 'Jenis Kelamin', 'Kelurahan'])
row = cells(2, ['9671010101900001', 'Anton Kambu', '01/01/1990', 'L', 'Remu'])
def book(name, sheet_writer):
    with zipfile.ZipFile(name, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', ct)
        z.writestr('xl/workbook.xml', wb)
        z.writestr('xl/_rels/workbook.xml.rels', rels)
        sheet_writer(z)
# a sheet of 200 MB of spaces: a zip bomb (the zip is well under 1 MB)
def bomb(z):
    with z.open('xl/worksheets/sheet1.xml', 'w', force_zip64=True) as f:
        f.write((head + hdr + row).encode())
        chunk = b' ' * (1 << 20)
        for _ in range(200):
            f.write(chunk)
        f.write(b'</sheetData></worksheet>')
book('bomb.xlsx', bomb)
# the billion laughs
lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' + ''.join('<!ENTITY lol%d "%s">' % (i, ('&lol%d;' % (i - 1)) * 10) for i in range(3, 10)) + ']>'
book('laughs.xlsx', lambda z: z.writestr('xl/worksheets/sheet1.xml', lol + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + hdr + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'))
# a million empty rows under one good one
def empty(z):
    with z.open('xl/worksheets/sheet1.xml', 'w', force_zip64=True) as f:
        f.write((head + hdr + row).encode())
        for r in range(3, 1000003):
            f.write(b'<row r="%d"/>' % r)
        f.write(b'</sheetData></worksheet>')
book('empty.xlsx', empty)
book('fine.xlsx', lambda z: z.writestr('xl/worksheets/sheet1.xml', head + hdr + row + '</sheetData></worksheet>'))
data = open('fine.xlsx', 'rb').read()
open('cut.xlsx', 'wb').write(data[:len(data) * 2 // 3])
PY
"$S" -q --db fine.db init 96.71.01 >/dev/null
check_exit "the well-formed hand-made workbook imports (the cases below differ from it by their defect alone)" 0 "$S" --db fine.db import fine.xlsx
for f in cut bomb laughs empty; do
	"$S" -q --db $f.db init 96.71.01 >/dev/null
	( ulimit -v 600000; /usr/bin/time -f "%M %e" -o $f.time timeout 15 "$S" --db $f.db import $f.xlsx >$f.out 2>$f.err; echo $? >$f.rc )
done
bounded() { read -r kb s < <(tail -n 1 "$1.time") 2>/dev/null; [ -n "${kb:-}" ] && [ "$kb" -lt 300000 ] && [ "$(cat $1.rc)" != 124 ]; }
nothing() { [ "$(sqlite3 $1.db "SELECT count(*) FROM workers")" = 0 ]; }
check "a workbook cut short: refused (exit 2), saying so, nothing imported" '[ "$(cat cut.rc)" = 2 ] && grep -q "is not a readable workbook" cut.err && nothing cut && bounded cut'
check "a zip bomb (200 MB of XML in a small zip): refused within bounds, nothing imported ($(tail -n 1 bomb.time) KB s)" '[ "$(cat bomb.rc)" = 2 ] && grep -q "unpacks to more than 96 MiB" bomb.err && nothing bomb && bounded bomb'
check "an XML entity expansion: refused within bounds, nothing imported ($(tail -n 1 laughs.time) KB s)" '[ "$(cat laughs.rc)" = 2 ] && grep -q "document type declaration" laughs.err && nothing laughs && bounded laughs'
check "a million empty rows: refused within bounds, nothing imported ($(tail -n 1 empty.time) KB s)" '[ "$(cat empty.rc)" = 2 ] && grep -q "more than 300,000 rows" empty.err && nothing empty && bounded empty'
finish
