#!/bin/bash
# t7100-web: `sinkron serve` and `sinkron user`, driven with curl: accounts (Argon2id, never on the
# command line), plain HTTP only on loopback and TLS elsewhere, every page behind a login, the CSRF
# check of every form, cookie flags, login throttling, a disabled account logged out, escaping of
# hostile names and addresses, path traversal in asset URLs, the upload cap, idle connections closed
# and a hundred of them not stopping the others, the forms' errors in Indonesian as the command
# line's, the operator recorded as the account, the name search (in memory) seeing a write made
# through the command line at once, the import preview and its rejects, and the agent
# serving the same pages, every kelurahan of a district and every occupation offered on its forms, and
# the lists longer than a page (the city's decisions, a worker's history, an import's rejected rows)
# saying how many are not shown and showing them on the next page.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$TOP/tests/web/webhelp.sh"

command -v curl >/dev/null || need_pkg curl curl || skip_all "curl is missing"
$SINKRON init 96.71.01 >/dev/null 2>&1 || skip_all "init failed"
q() { sqlite3 sinkron.db "$1"; }

# ---- accounts ----
check_exit "user add reads the password from standard input" 0 sh -c "echo 'rahasia-ani' | $SINKRON user add ani"
check_exit "... a second clerk and the head of office" 0 sh -c "echo 'rahasia-budi' | $SINKRON user add budi && echo 'rahasia-kepala' | $SINKRON user add kepala --role kepala"
check "... stored as an Argon2id hash, never the password" '[[ "$(q "SELECT hash FROM web_accounts WHERE name = \"ani\"")" == \$argon2id\$* ]] && ! grep -qa "rahasia-ani" sinkron.db'
check "... not a synced table: never captured" '[ "$(q "SELECT count(*) FROM sk_tables WHERE name LIKE \"web%\"") $(q "SELECT count(*) FROM sk_outbox")" = "0 0" ]'
check_exit "a short password is refused (exit 2)" 2 sh -c "echo pendek | $SINKRON user add citra"
check_exit "an existing name is refused" 2 sh -c "echo 'rahasia-lagi' | $SINKRON user add ani"
check_exit "a password is not taken from the command line" 2 $SINKRON user add dedi --password rahasia-dedi
check "user list shows names and roles" '$SINKRON user list | grep -q "^kepala *kepala *active"'
out=$(LANG=id_ID.UTF-8 $SINKRON user list)
check "... in Indonesian under LANG=id_ID" '[[ "$out" == *"aktif"* ]]'

# ---- the catalogue: every message of the pages and of `user` has its Indonesian ----
xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --no-location -o web.pot "$TOP"/agent/web*.c "$TOP"/agent/i18n.c 2>/dev/null
check_cmd "po/id.po translates every msgid of the pages (msgcmp)" msgcmp "$TOP/po/id.po" web.pot
check "... and none is left empty" '! msgattrib --untranslated "$TOP/po/id.po" | grep -q "^msgid \"[^\"]"'

# ---- plain HTTP only on loopback ----
out=$($SINKRON serve --listen 0.0.0.0:$(free_port) 2>&1); rc=$?
check "serving the office network without TLS is refused (exit 2)" '[ $rc -eq 2 ] && [[ "$out" == *"needs TLS"* ]]'

P=$(free_port)
web_serve srv "http://127.0.0.1:$P" serve --listen "127.0.0.1:$P" --idle-timeout 2 --upload-limit 65536 || skip_all "serve did not start"
P=$WEB_PORT

# ---- no page without a session ----
for path in / /pekerja /daftar /impor /kirim /assets/icon.svg "/pekerja/x" "/impor/tolak?t=0"; do
	check "no session: $path goes to the login" '[ "$(curl -s -o /dev/null -w "%{http_code} %{redirect_url}" "$WEB_URL$path")" = "303 $WEB_URL/login" ]'
done
check "no session: a POST is refused" '[ "$(curl -s -o /dev/null -w "%{http_code}" -d x=1 "$WEB_URL/daftar")" = 403 ]'
check "the login page and its stylesheet are served" '[ "$(web_status nojar /login) $(web_status nojar /assets/style.css)" = "200 200" ]'

# ---- login, cookie flags ----
check "a wrong password is refused" '[ "$(web_login bad.jar ani salah-sekali)" = 403 ]'
hdr=$(curl -s -D - -o /dev/null --data-urlencode name=ani --data-urlencode password=rahasia-ani "$WEB_URL/login")
check "login sets the session cookie HttpOnly and SameSite=Strict" '[[ "$hdr" == *"Set-Cookie: sk_session="*"; HttpOnly; SameSite=Strict"* ]]'
check "... not Secure over plain HTTP on loopback" '! grep -qi "secure" <<<"$(grep -i "^set-cookie" <<<"$hdr")"'
check "... the token is 256 random bits" '[[ "$(grep -io "sk_session=[0-9a-f]*" <<<"$hdr")" =~ ^sk_session=[0-9a-f]{64}$ ]]'
check "ani logs in" '[ "$(web_login ani.jar ani rahasia-ani)" = 303 ]'
check "... and sees the Beranda in Indonesian" 'web_get ani.jar / | grep -q "<h1>Beranda</h1>"'
check "... with the asset" '[ "$(web_status ani.jar /assets/icon.svg)" = 200 ]'

# ---- CSRF ----
tok=$(web_csrf ani.jar)
n0=$(q "SELECT count(*) FROM workers")
reg=(--data-urlencode nik=9671013112800001 --data-urlencode "name=Yakobus Mambrasar" --data-urlencode birth_date=31-12-1980
	--data-urlencode sex=L --data-urlencode kelurahan=96.71.01.1001)
check "a form without its CSRF token is refused" '[ "$(curl -s -b ani.jar -o /dev/null -w "%{http_code}" "${reg[@]}" "$WEB_URL/daftar")" = 403 ]'
check "... one with another token too" '[ "$(curl -s -b ani.jar -o /dev/null -w "%{http_code}" "${reg[@]}" --data-urlencode csrf=$(printf "%064d" 0) "$WEB_URL/daftar")" = 403 ]'
web_login old.jar ani rahasia-ani >/dev/null
stale=$(web_csrf old.jar)
curl -s -b old.jar -c old.jar -o /dev/null --data-urlencode csrf="$stale" "$WEB_URL/logout"
web_login old.jar ani rahasia-ani >/dev/null
check "... and a stale token of a session that ended" '[ "$(curl -s -b old.jar -o /dev/null -w "%{http_code}" "${reg[@]}" --data-urlencode csrf=$stale "$WEB_URL/daftar")" = 403 ]'
check "... nothing was registered" '[ "$(q "SELECT count(*) FROM workers")" = "$n0" ]'
check "with its token the form registers" '[ "$(curl -s -b ani.jar -o /dev/null -w "%{http_code}" "${reg[@]}" --data-urlencode csrf=$tok "$WEB_URL/daftar")" = 303 ]'
check "... recorded as made by the account, not the PC's login" '[ "$(q "SELECT DISTINCT operator FROM sk_outbox")" = ani ]'

# ---- the forms say what the command line says, in Indonesian, and change nothing ----
bad=$(curl -s -b ani.jar -w "%{http_code}" --data-urlencode csrf=$tok --data-urlencode nik=967101311280 --data-urlencode "name=Maria Kambuaya" \
	--data-urlencode birth_date=31-12-1980 --data-urlencode sex=P --data-urlencode kelurahan=96.71.01.1001 "$WEB_URL/daftar")
cli=$($SINKRON worker add --nik 967101311280 --name "Maria Kambuaya" --birth-date 31-12-1980 --sex P --kelurahan "Remu Utara" 2>&1)
check "a NIK of 12 digits: the command line says why" '[[ "$cli" == *"NIK must have 16 digits, has 12"* ]]'
check "... the form says the same in Indonesian, next to the field, status 422" '[[ "$bad" == *"id=\"f-nik\""*"NIK harus 16 angka, sekarang 12"*"id=\"f-name\""* && "$bad" == *422 ]]'
check "... nothing was saved" '[ "$(q "SELECT count(*) FROM workers")" = $((n0 + 1)) ]'
warn=$(curl -s -b ani.jar --data-urlencode csrf=$tok --data-urlencode nik=9671014506900003 --data-urlencode "name=Maria Kambuaya" \
	--data-urlencode birth_date=06-06-1990 --data-urlencode sex=P --data-urlencode kelurahan=96.71.01.1002 "$WEB_URL/daftar")
check "a NIK whose date disagrees: a warning to confirm, not saved yet" '[[ "$warn" == *"field-warn"*"menurut NIK lahir 05/06/90 tetapi Tanggal Lahir 06/06/1990"*"name=\"confirm\""* ]] && [ "$(q "SELECT count(*) FROM workers")" = $((n0 + 1)) ]'
check "... confirmed, it is saved" '[ "$(curl -s -b ani.jar -o /dev/null -w "%{http_code}" --data-urlencode csrf=$tok --data-urlencode nik=9671014506900003 --data-urlencode "name=Maria Kambuaya" --data-urlencode birth_date=06-06-1990 --data-urlencode sex=P --data-urlencode kelurahan=96.71.01.1002 -d confirm=1 "$WEB_URL/daftar")" = 303 ] && [ "$(q "SELECT count(*) FROM workers")" = $((n0 + 2)) ]'
id1=$(q "SELECT id FROM workers WHERE nik = '9671013112800001'")
end=$(curl -s -b ani.jar -w "%{http_code}" --data-urlencode csrf=$tok --data-urlencode id=$id1 --data-urlencode "reason=dipecat<script>" "$WEB_URL/akhiri")
check "an end reason not on the list is refused, the worker stays active" '[[ "$end" == *"pilih alasan dari daftar"*422 ]] && [ "$(q "SELECT status FROM workers WHERE id = \"$id1\"")" = active ]'

# ---- escaping: hostile text in names, addresses, heirs ----
xss_name="Mama <script>alert('x')</script> Kambuaya"
xss_attr='Jl. Ahmad Yani" autofocus onfocus="alert(document.cookie)'
curl -s -b ani.jar -o /dev/null --data-urlencode csrf=$tok --data-urlencode nik=9671015505850002 --data-urlencode "name=$xss_name" \
	--data-urlencode birth_date=15-05-1985 --data-urlencode sex=P --data-urlencode "address=$xss_attr" --data-urlencode kelurahan=96.71.01.1003 \
	--data-urlencode "occupation=<img src=x onerror=alert(1)>" "$WEB_URL/daftar"
idx=$(q "SELECT id FROM workers WHERE nik = '9671015505850002'")
check "the hostile record was stored as typed" '[ -n "$idx" ] && [ "$(q "SELECT address FROM workers WHERE id = \"$idx\"")" = "$xss_attr" ]'
curl -s -b ani.jar -o /dev/null --data-urlencode csrf=$tok --data-urlencode id=$idx --data-urlencode "name=Agus <b onmouseover=alert(x)>" \
	--data-urlencode relationship=anak "$WEB_URL/ahli-waris"
for page in "/pekerja" "/pekerja?q=mama" "/pekerja/$idx" "/ubah?id=$idx" "/akhiri?id=$idx"; do
	body=$(web_get ani.jar "$page")
	check "escaped on $page: no script or handler from the data" '! grep -q "<script>alert\|<img src=x\|<b onmouseover\|=\"Jl. Ahmad Yani\" autofocus" <<<"$body" && grep -q "Mama &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Kambuaya\|Mama &lt;script&gt;alert('"'"'x'"'"')&lt;/script&gt; Kambuaya" <<<"$body"'
done
check "... the address in a form field escaped as an attribute" 'web_get ani.jar "/ubah?id=$idx" | grep -q "value=\"Jl. Ahmad Yani&quot; autofocus onfocus=&quot;alert(document.cookie)\""'
check "... the heir's name escaped" 'web_get ani.jar "/pekerja/$idx" | grep -q "Agus &lt;b onmouseover=alert(x)&gt;"'
check "... the search box echoes a hostile query escaped" 'curl -s -b ani.jar -G --data-urlencode "q=\"><script>x()</script>" "$WEB_URL/pekerja" | grep -q "value=\"&quot;&gt;&lt;script&gt;x()&lt;/script&gt;\""'
check "pages forbid inline script (Content-Security-Policy)" 'curl -s -D - -o /dev/null -b ani.jar "$WEB_URL/" | grep -qi "^content-security-policy: default-src .none.; style-src .self.; script-src .self."'

# ---- search: partial, case- and accent-insensitive, NIK ----
curl -s -b ani.jar -o /dev/null --data-urlencode csrf=$tok --data-urlencode id=$id1 --data-urlencode "name=Yakobus José Mambrasar" \
	--data-urlencode nik=9671013112800001 --data-urlencode birth_date=31-12-1980 --data-urlencode sex=L --data-urlencode kelurahan=96.71.01.1001 "$WEB_URL/ubah"
check "a correction through Ubah is saved" '[ "$(q "SELECT name FROM workers WHERE id = \"$id1\"")" = "Yakobus José Mambrasar" ]'
check "search 'JOSE' finds José (case and accent)" 'web_get ani.jar "/pekerja?q=JOSE" | grep -q "Yakobus José Mambrasar"'
check "search by the start of a NIK" 'web_get ani.jar "/pekerja?q=96710145" | grep -q "Maria Kambuaya" && ! web_get ani.jar "/pekerja?q=96710145" | grep -q Yakobus'
# the names are searched in memory (web_search.c), read again when the database changed: a
# write through the command line while the server runs is seen by the very next search
check "search 'mambrasar' (the names read before the writes below)" 'web_get ani.jar "/pekerja?q=mambrasar" | grep -q "Yakobus José Mambrasar"'
$SINKRON worker add --nik 9671014101850004 --name "Sénà Wambrauw" --birth-date 01-01-1985 --sex P --kelurahan 96.71.01.1001 \
	--occupation "Nelayan Tuna" >/dev/null 2>&1
check "a worker added through the command line is found by the next search" 'web_get ani.jar "/pekerja?q=wambrauw" | grep -q "Sénà Wambrauw"'
check "... 'sena' finds Sénà (accents and case)" 'web_get ani.jar "/pekerja?q=sena" | grep -q "Sénà Wambrauw"'
check "... the occupation filter offers its new occupation" 'web_get ani.jar "/pekerja" | grep -q "<option value=\"Nelayan Tuna\">"'
check "... the filters combine with the name: kelurahan, occupation" 'web_get ani.jar "/pekerja?q=sena&kel=96.71.01.1001&occ=Nelayan+Tuna" | grep -q "Sénà Wambrauw" && web_get ani.jar "/pekerja?q=sena&kel=96.71.01.1002" | grep -q ">0 pekerja ditemukan<"'
check "... status" 'web_get ani.jar "/pekerja?q=sena&status=ended" | grep -q ">0 pekerja ditemukan<" && web_get ani.jar "/pekerja?q=sena&status=all" | grep -q "Sénà Wambrauw"'
$SINKRON worker edit 9671014101850004 --name "Sénà Rumbiak" >/dev/null 2>&1
check "a name edited through the command line is found under its new name" 'web_get ani.jar "/pekerja?q=rumbiak" | grep -q "Sénà Rumbiak"'
check "... and not under its old one" 'web_get ani.jar "/pekerja?q=wambrauw" | grep -q ">0 pekerja ditemukan<"'
check "each row carries its sync mark" 'web_get ani.jar "/pekerja" | grep -q "mark-unsent\">belum terkirim"'

# ---- throttling ----
for i in 1 2 3 4 5; do web_login t.jar budi salah-$i >/dev/null; done
st=$(curl -s -c t.jar -w "%{http_code}" --data-urlencode name=budi --data-urlencode password=rahasia-budi "$WEB_URL/login")
check "after 5 wrong passwords even the right one waits (429, in words)" '[[ "$st" == *"terlalu banyak kata sandi salah: tunggu"*429 ]] && ! grep -q sk_session t.jar'
check "... another account is not held up" '[ "$(web_login kepala.jar kepala rahasia-kepala)" = 303 ]'

# ---- a disabled account is logged out at its next request ----
check "the head of office is logged in" '[ "$(web_status kepala.jar /pekerja)" = 200 ]'
$SINKRON user disable kepala >/dev/null
check "disabled: the next request goes to the login" '[ "$(curl -s -b kepala.jar -o /dev/null -w "%{http_code} %{redirect_url}" "$WEB_URL/pekerja")" = "303 $WEB_URL/login" ]'
check "... and its login is refused" '[ "$(web_login kepala2.jar kepala rahasia-kepala)" = 403 ]'
$SINKRON user enable kepala >/dev/null

# ---- the head of office manages accounts in the pages; a clerk cannot ----
check "a clerk is refused the accounts page" '[ "$(web_status ani.jar /akun)" = 403 ] && ! web_get ani.jar / | grep -q "href=\"/akun\""'
check "... and its form" '[ "$(curl -s -b ani.jar -o /dev/null -w "%{http_code}" --data-urlencode csrf=$tok -d do=add -d name=mallory -d role=kepala -d password=rahasia-mallory "$WEB_URL/akun")" = 403 ] && [ -z "$(q "SELECT name FROM web_accounts WHERE name = \"mallory\"")" ]'
web_login kp.jar kepala rahasia-kepala >/dev/null
ktok=$(web_csrf kp.jar)
check "the head of office adds an account" 'curl -s -b kp.jar --data-urlencode csrf=$ktok -d do=add -d name=citra -d role=petugas -d password=rahasia-citra "$WEB_URL/akun" | grep -q "akun &#39;citra&#39; (petugas) ditambahkan\|akun '"'"'citra'"'"' (petugas) ditambahkan"'
check "... who logs in" '[ "$(web_login citra.jar citra rahasia-citra)" = 303 ]'
check "... disables it: logged out at its next request" 'curl -s -b kp.jar -o /dev/null --data-urlencode csrf=$ktok -d do=disable -d name=citra "$WEB_URL/akun"; [ "$(curl -s -b citra.jar -o /dev/null -w "%{http_code} %{redirect_url}" "$WEB_URL/")" = "303 $WEB_URL/login" ]'

# ---- path traversal in asset URLs ----
for p in "/assets/../../../../etc/passwd" "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd" "/assets/..%2f..%2fsinkron.db" "/assets/id.mo" "/assets/.%2e/sinkron.db" "/assets//etc/passwd"; do
	body=$(curl -s --path-as-is -b ani.jar -w "%{http_code}" "$WEB_URL$p")
	check "asset path $p: not served" '[[ "$body" == *404 ]] && [[ "$body" != *"root:"* ]] && [[ "$body" != *"SQLite format"* ]]'
done

# ---- the upload cap ----
{ echo "NIK,Nama,Tanggal Lahir,Jenis Kelamin,Kelurahan"; for i in $(seq 1000 3999); do echo "967101311280$i,Nama Panjang Sekali,31/12/1980,L,Remu Utara"; done; } >big.csv
n1=$(q "SELECT count(*) FROM workers")
big=$(curl -s -b ani.jar -w "%{http_code}" -F csrf=$tok -F file=@big.csv "$WEB_URL/impor")
check "an upload over the cap is refused with a message (413)" '[[ "$big" == *"lebih besar dari 64 KB: tidak ada yang diimpor"*413 ]]'
big2=$(curl -s -b ani.jar -w "%{http_code}" -H "Transfer-Encoding: chunked" -F csrf=$tok -F file=@big.csv "$WEB_URL/impor")
check "... also sent in chunks, with no length announced" '[[ "$big2" == *"lebih besar dari 64 KB: tidak ada yang diimpor"*413 ]]'
check "... nothing imported" '[ "$(q "SELECT count(*) FROM workers")" = "$n1" ] && [ -z "$(ls sinkron.db.uploads 2>/dev/null)" ]'

# ---- import: preview, confirm, rejects ----
printf '%s\n' 'NIK,Nama,Tanggal Lahir,Jenis Kelamin,Kelurahan,No HP' \
	'9671016606850004,Dorkas Kambuaya,26/06/1985,P,Remu,081234567890' \
	'9671012002900005,Petrus Kalami,20/02/1990,L,Klademak,' \
	'12345,Baris Salah,01/01/1990,L,Remu,' >small.csv
pre=$(curl -s -b ani.jar -F csrf=$tok -F file=@small.csv -F funder= "$WEB_URL/impor")
check "the preview counts rows to add and rejected, with the reason" '[[ "$pre" == *"<div class=\"big\">2</div>akan ditambahkan"*"<div class=\"big\">1</div>ditolak"* && "$pre" == *"NIK harus 16 angka, sekarang 5"* ]]'
check "... and changes nothing" '[ "$(q "SELECT count(*) FROM workers")" = "$n1" ]'
t=$(grep -o 'name="t" value="[0-9a-f]*"' <<<"$pre" | sed 's/.*value="//; s/"$//')
done_=$(curl -s -b ani.jar --data-urlencode csrf=$tok --data-urlencode t=$t -d funder= "$WEB_URL/impor/simpan")
check "confirmed, the good rows are imported" '[[ "$done_" == *"2 ditambahkan"* ]] && [ "$(q "SELECT count(*) FROM workers")" = $((n1 + 2)) ]'
curl -s -b ani.jar -o rej.csv "$WEB_URL/impor/tolak?t=$t"
check "the rejected rows download as CSV with the reason" 'head -1 rej.csv | grep -q "^Baris,NIK,.*Alasan" && grep -q "^4,12345,Baris Salah" rej.csv'
check "... confirming twice imports nothing more" '[ "$(curl -s -b ani.jar -o /dev/null -w "%{http_code}" --data-urlencode csrf=$tok --data-urlencode t=$t "$WEB_URL/impor/simpan")" = 404 ]'

# ---- import of a workbook: LibreOffice makes an .xlsx of the same rows; its rejects come back as .xlsx ----
if command -v soffice >/dev/null 2>&1; then
	sed 's/^9671016606850004,Dorkas Kambuaya/9671014107880006,Yohana Rumbiak/; s/^9671012002900005,Petrus Kalami/9671011503910007,Markus Waromi/' \
		small.csv >book.csv
	HOME=$TMP soffice --headless --norestore "-env:UserInstallation=file://$TMP/lo" \
		--convert-to xlsx:"Calc MS Excel 2007 XML" --infilter="CSV:44,34,76,1,1/2/2/2/3/2/4/2/5/2/6/2" book.csv >lo.log 2>&1
	pre=$(curl -s -b ani.jar -F csrf=$tok -F file=@book.xlsx -F funder= "$WEB_URL/impor")
	check "an .xlsx upload: the same preview as its CSV (2 to add, 1 rejected with the reason)" \
		'[[ "$pre" == *"<div class=\"big\">2</div>akan ditambahkan"*"<div class=\"big\">1</div>ditolak"* && "$pre" == *"NIK harus 16 angka, sekarang 5"* ]]'
	t=$(grep -o 'name="t" value="[0-9a-f]*"' <<<"$pre" | sed 's/.*value="//; s/"$//')
	done_=$(curl -s -b ani.jar --data-urlencode csrf=$tok --data-urlencode t=$t -d funder= "$WEB_URL/impor/simpan")
	check "... confirmed, its good rows are imported" '[[ "$done_" == *"2 ditambahkan"* ]] && [ "$(q "SELECT count(*) FROM workers")" = $((n1 + 4)) ]'
	hdr=$(curl -s -b ani.jar -o rej.xlsx -D - "$WEB_URL/impor/tolak?t=$t")
	check "... and its rejected rows download as an .xlsx workbook" \
		'[[ "$hdr" == *"baris-ditolak.xlsx"* ]] && [ "$(head -c 2 rej.xlsx)" = PK ]'
else
	check "LibreOffice (soffice) is installed for the workbook upload" false
fi

# ---- lists longer than a page: what is not shown is counted, and the next page shows it ----
gen-workers --district 96.71.01 --count 130 --seed 7 --out many.csv 2>/dev/null
$SINKRON import many.csv >/dev/null 2>&1
q "UPDATE workers SET occupation = printf('Pekerjaan %03d', rowid)"
nocc=$(q "SELECT count(DISTINCT occupation) FROM workers")
check "the occupation filter offers every occupation ($nocc), none left out" '[ "$nocc" -gt 100 ] && [ "$(web_get ani.jar /pekerja | grep -o "<option value=\"Pekerjaan [0-9]*\"" | wc -l)" = "$nocc" ]'
# a KPJ is the city's to set: the guard is taken away around it and put back exactly as it was
around_guards sinkron.db workers update "UPDATE workers SET kpj = printf('2401%07d', rowid) WHERE rowid IN
	(SELECT rowid FROM workers ORDER BY rowid LIMIT 25)"
# the part of a page (one line of HTML) from the element with that id to the end of its section
part() { sed "s/.*id=\"$1\"//; s/<\/section>.*//"; }
home=$(web_get ani.jar /)
check "the Beranda's decisions of the city: 20 of 25 shown, 5 not, and a next page" '[[ "$home" == *"1–20 dari 25 ditampilkan; 5 tidak ditampilkan di halaman ini"* && "$home" == *"href=\"/?hal=2\" rel=\"next\">Berikutnya"* ]]'
check "... whose page shows the other 5" '[ "$(web_get ani.jar "/?hal=2" | part decisions | grep -o "<li>" | wc -l)" = 5 ]'
for i in $(seq 1 230); do $SINKRON worker edit "$id1" --phone "08120000$(printf %04d $i)" >/dev/null 2>&1; done
nh=$(q "SELECT count(*) FROM sk_outbox WHERE pk = '$id1'")
wp=$(web_get ani.jar "/pekerja/$id1")
check "a worker's history of $nh entries: 200 shown, the $((nh - 200)) others counted" '[ "$nh" -gt 230 ] && [ "$(part history <<<"$wp" | grep -o "<li>" | wc -l)" = 200 ] && [[ "$wp" == *"1–200 dari $nh ditampilkan; $((nh - 200)) tidak ditampilkan"* ]]'
check "... and the next page shows them" 'web_get ani.jar "/pekerja/$id1?hal=2" >h2.html; [ "$(part history <h2.html | grep -o "<li>" | wc -l)" = $((nh - 200)) ] && grep -q "rel=\"prev\"" h2.html && grep -q "href=\"/pekerja/$id1?hal=2\"" <<<"$wp"'
{ echo 'NIK,Nama,Tanggal Lahir,Jenis Kelamin,Kelurahan'; for i in $(seq 1 250); do echo "12345,Baris Salah,01/01/1990,L,Remu"; done; } >bad.csv
pre=$(curl -s -b ani.jar -F csrf=$tok -F file=@bad.csv -F funder= "$WEB_URL/impor")
t=$(grep -o 'name="t" value="[0-9a-f]*"' <<<"$pre" | sed 's/.*value="//; s/"$//')
check "an import with 250 rejected rows: 200 shown, 50 counted, a next page" '[ "$(grep -o "<tr class=\"error\"" <<<"$pre" | wc -l)" = 200 ] && [[ "$pre" == *"1–200 dari 250 ditampilkan; 50 tidak ditampilkan"* && "$pre" == *"/impor/periksa?t=$t&amp;"*"hal=2"* ]]'
p2=$(web_get ani.jar "/impor/periksa?t=$t&funder=&nama=bad.csv&hal=2")
check "... whose page shows the other 50, the last line among them" '[ "$(grep -o "<tr class=\"error\"" <<<"$p2" | wc -l)" = 50 ] && [[ "$p2" == *">251</td>"* && "$p2" == *"name=\"t\" value=\"$t\""* ]]'
check "... and changes nothing" '[ -z "$(q "SELECT id FROM workers WHERE name = \"Baris Salah\"")" ]'

# ---- connections: a silent one is closed; a hundred silent ones do not stop the others ----
exec 3<>"/dev/tcp/127.0.0.1/$P"
check "a connection that sends nothing is closed by the server (idle timeout 2 s)" 'timeout 20 cat <&3 >/dev/null'
exec 3<&-
P2=$(free_port)
web_serve srv2 "http://127.0.0.1:$P2" serve --listen "127.0.0.1:$P2" --idle-timeout 60 || skip_all "second server did not start"
P2=$WEB_PORT
fds=()
for i in $(seq 1 100); do exec {fd}<>"/dev/tcp/127.0.0.1/$P2" && fds+=("$fd"); done
check "a hundred silent connections are open" '[ ${#fds[@]} -eq 100 ] && [ "$(ss -Htn state established "( dport = :$P2 )" | wc -l)" -ge 100 ]'
check "... and a clerk still logs in and works" '[ "$(web_login c.jar ani rahasia-ani)" = 303 ] && [ "$(curl -s -b c.jar --max-time 5 -o /dev/null -w "%{http_code}" "$WEB_URL/pekerja")" = 200 ]'
for fd in "${fds[@]}"; do exec {fd}<&-; done

# ---- a session unused for --session-idle ends ----
P6=$(free_port)
web_serve srv6 "http://127.0.0.1:$P6" serve --listen "127.0.0.1:$P6" --session-idle 2 || skip_all "server did not start"
P6=$WEB_PORT
web_login idle.jar ani rahasia-ani >/dev/null
t0=$SECONDS
check "a fresh session is served" '[ "$(web_status idle.jar /pekerja)" = 200 ]'
# every request refreshes the session, so nothing may touch it until more than 2 s have passed
while [ $((SECONDS - t0)) -lt 4 ]; do sleep 0.2; done
check "... unused for more than 2 s, it has ended: the login again" '[ "$(web_status idle.jar /)" = 303 ]'

# ---- TLS: off loopback with a certificate made for the office ----
web-cert certs 127.0.0.1 >/dev/null 2>&1
P3=$(free_port)
web_serve tls "https://127.0.0.1:$P3" serve --listen "127.0.0.1:$P3" --cert certs/web.pem --key certs/web.key || skip_all "TLS server did not start"
P3=$WEB_PORT
hdr=$(curl -s --cacert certs/ca.pem -D - -o /dev/null --data-urlencode name=ani --data-urlencode password=rahasia-ani "https://127.0.0.1:$P3/login")
check "over TLS (checked against the office's CA) the cookie is also Secure" '[[ "$hdr" == *"sk_session="*"; HttpOnly; SameSite=Strict; Secure"* ]]'
P4=$(free_port)
"$SINKRON" serve --listen "0.0.0.0:$P4" --cert certs/web.pem --key certs/web.key >tls4.log 2>&1 &
pid4=$!; at_exit "kill $pid4"
check "with a certificate the office network address is accepted" 'for _ in $(seq 1 100); do curl -s --cacert certs/ca.pem -o /dev/null "https://127.0.0.1:$P4/login" && break; kill -0 $pid4 || break; sleep 0.05; done; curl -s --cacert certs/ca.pem -o /dev/null -w "%{http_code}" "https://127.0.0.1:$P4/login" | grep -q 200'

# ---- the agent serves the same pages ----
$SINKRON --db agent.db init 96.71.02 >/dev/null 2>&1
echo 'rahasia-eka' | $SINKRON --db agent.db user add eka >/dev/null
# the port is in the configuration: when another program took it first, the agent is started
# again with a fresh one in its configuration, at most five times
for _ in 1 2 3 4 5; do
	P5=$(free_port)
	printf 'central = %s\nserve = 127.0.0.1:%s\ninterval = 3600\n' "$TMP/nowhere.git" "$P5" >agent.conf; chmod 600 agent.conf
	web_serve agent "http://127.0.0.1:$P5" --db agent.db agent && break
	grep -q "Address already in use" agent.log || skip_all "agent did not serve"
	P5=""
done
[ -n "$P5" ] || skip_all "agent did not serve: every port tried was taken"
check "the agent serves the pages from its configuration" '[ "$(web_login e.jar eka rahasia-eka)" = 303 ] && web_get e.jar / | grep -q "Distrik 02\|96.71.02"'

# ---- a district with more kelurahan than a form ever listed: every one of them offered ----
sqlite3 agent.db "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 240)
	INSERT INTO regions SELECT printf('96.71.02.9%03d', i), printf('Kelurahan Uji %03d', i), 'kelurahan' FROM k"
nkel=$(sqlite3 agent.db "SELECT count(*) FROM regions WHERE level = 'kelurahan' AND code LIKE '96.71.02.%'")
check "Daftar baru offers every kelurahan of the district ($nkel), none left out" '[ "$(web_get e.jar /daftar | grep -o "<option value=\"96\.71\.02\.[0-9]*\"" | wc -l)" = "$nkel" ]'
check "... and so does the list's filter, the last by name too" 'web_get e.jar /pekerja >kel.html; [ "$(grep -o "<option value=\"96\.71\.02\.[0-9]*\"" kel.html | wc -l)" = "$nkel" ] && grep -q "Kelurahan Uji 240" kel.html'

finish
