/*
 * gen-workers-people.c: who gen-workers' workers are: each city's origin groups, their names and
 * home regions, streets and markets, jobs, and one person made from them with a NIK not used before.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen-workers.h"

/* ---- who lives where: origin groups, their names and home regions ---- */

static const char *const papua_m[] = {
	"Marthen", "Origenes", "Benyamin", "Yulianus", "Frans", "Yohanis", "Markus", "Yakob", "Petrus",
	"Daniel", "Hendrik", "Obed", "Simon", "Yance", "Zakarias", "Nikolas", "Karel", "Abner", "Demianus",
	"Lukas", "Otniel", "Elias", "Septinus", "Alfons", "Yunus", "Paulus", "Melkias", "Agustinus", "Hans",
	"Robert", "Lambertus", "Soleman", "Izak", "Nataniel", "Yermias", "Musa", "Yosias", "Derek",
};
static const char *const papua_f[] = {
	"Yohana", "Petronela", "Yakomina", "Agustina", "Nelce", "Marice", "Dorkas", "Ribka", "Selfina",
	"Yuliana", "Martha", "Sarlota", "Naomi", "Debora", "Frederika", "Yosina", "Adolfina", "Elisabeth",
	"Rosalina", "Ester", "Orpa", "Mince", "Lea", "Yustina", "Novita", "Lince", "Margaretha", "Hermina",
	"Welmina", "Antoneta", "Yulita", "Kristina",
};
static const char *const papua_fam[] = {
	"Kambu", "Sapisa", "Mayor", "Rumbiak", "Wanma", "Kalami", "Malak", "Mambrasar", "Rumbewas", "Yoku",
	"Ayamiseba", "Korwa", "Sawaki", "Fonataba", "Mandacan", "Ullo", "Howay", "Momot", "Sagrim", "Kareth",
	"Bleskadit", "Klagilit", "Osok", "Kalasuat", "Mobalen", "Kambuaya", "Kocu", "Fatem", "Yumte", "Sawor",
	"Rumbino", "Mansawan", "Rumaropen", "Krey", "Wamafma", "Ansaka", "Msen", "Kafiar", "Rumere",
	"Baransano", "Sanadi", "Idie", "Mambor", "Rumbekwan", "Salosa", "Karubaba", "Awom", "Womsiwor",
};
static const char *const bugis_m[] = {
	"Muhammad Arif", "Abdul Rahman", "Syamsuddin", "Hasanuddin", "Arifin", "Ridwan", "Baharuddin",
	"Jumadi", "Haris", "Muh. Ilham", "Irwan", "Syahrir", "Muhammad Yusuf", "Rahmat", "Sudirman",
	"Amiruddin", "Nasrullah", "Suardi", "Ismail", "Hamzah", "Kamaruddin", "Darwis", "Ahmad Yani",
	"Abd. Kadir", "Mustafa", "Basri", "Syarifuddin", "Jamaluddin", "Muhammad Nur", "Akbar",
};
static const char *const bugis_f[] = {
	"Nurhayati", "Sitti Rahma", "Hasnawati", "Rosmiati", "Nurjannah", "Hasnah", "Sumarni", "Rahmawati",
	"Marlina", "Nurhaedah", "St. Aminah", "Haslinda", "Ratna", "Sahariah", "Nurmiati", "Hj. Nurlaela",
	"Sitti Hawa", "Jumriah", "Rusmini", "Nur'aini", "Fatmawati", "Hasmiah",
};
static const char *const andi_m[] = {"Baso", "Ridwan", "Muhammad Syukur", "Amir", "Fadli", "Arman"};
static const char *const andi_f[] = {"Ratnasari", "Nurul Fitri", "Tenri", "Megawati", "Sitti Aisyah"};
static const char *const laode_m[] = {
	"Muhammad Rahman", "Ahmad", "Abdul Gafur", "Kamaluddin", "Zulkarnain", "Rusdin", "Safaruddin",
	"Hasan", "Muh. Arsyad", "Ma'ruf", "Sahlan", "Yusran",
};
static const char *const la_m[] = {"Ali", "Hamid", "Udu", "Sabara", "Rasidi", "Ane", "Rusi", "Ima", "Jaya", "Nuru"};
static const char *const waode_f[] = {"Nurhayati", "Asma", "Siti Rahmah", "Farida", "Sartina", "Nur'aini", "Hasmia"};
static const char *const wa_f[] = {"Rina", "Ima", "Asia", "Nani", "Nuri", "Sina", "Ode Hamna", "Tia"};
static const char *const jawa_m1[] = {
	"Sugeng", "Slamet", "Budi", "Joko", "Agus", "Eko", "Bambang", "Heru", "Teguh", "Dwi", "Tri", "Ahmad",
	"Imam", "Bayu", "Hadi", "Rudi", "Wahyu", "Yusuf", "Muhammad",
};
static const char *const jawa_m2[] = {
	"Riyadi", "Santoso", "Susilo", "Setiawan", "Prasetyo", "Sutrisno", "Purnomo", "Wibowo", "Cahyono",
	"Fauzi", "Syafi'i", "Hidayat", "Nugroho", "Kurniawan", "Saputro", "Ma'ruf",
};
static const char *const jawa_m[] = {"Suparman", "Supriyadi", "Sutrisno", "Wahyudi", "Paiman", "Sukirno", "Mulyono"};
static const char *const jawa_f1[] = {"Sri", "Siti", "Endang", "Tri", "Dwi", "Puji", "Rini", "Yuli", "Dewi", "Nur", "Eka"};
static const char *const jawa_f2[] = {
	"Wahyuni", "Aminah", "Lestari", "Wulandari", "Handayani", "Rahayu", "Astuti", "Khotimah", "Susanti",
	"Fatimah", "Ningsih", "Purwanti", "Setyowati", "Aini",
};
static const char *const jawa_f[] = {"Sumarni", "Suharti", "Sulastri", "Wahyuningsih", "Suminah", "Painem", "Nur'aini"};
static const char *const ambon_cm[] = {
	"Yohanis", "Jacob", "Johny", "Marthen", "Dominggus", "Pieter", "Abraham", "Semuel", "Rudy",
	"Frederik", "Hendrik", "Ferry", "Stevanus", "Melky",
};
static const char *const ambon_cf[] = {
	"Maria", "Yolanda", "Christina", "Magdalena", "Ribka", "Nona", "Olivia", "Sarah", "Febe", "Merlin",
	"Jeane", "Helena",
};
static const char *const ambon_cfam[] = {
	"Pattiasina", "Tuhumury", "Latuihamallo", "Sahetapy", "Matulessy", "Leiwakabessy", "Pattiradjawane",
	"Souisa", "Tuanakotta", "Lewerissa", "Wattimena", "Pelupessy", "Sopacua", "Lekatompessy", "Manuhutu",
	"Siahaya", "Titaley",
};
static const char *const ambon_mm[] = {"Abdullah", "Hasan", "Ahmad", "Umar", "Ali", "Rizal", "Fadli", "Ismail", "Rusdi", "Saleh"};
static const char *const ambon_mf[] = {"Fatima", "Nurlela", "Saida", "Halima", "Aisyah", "Rosdiana", "Fauziah", "Nur'aini"};
static const char *const ambon_mfam[] = {
	"Latuconsina", "Tuasikal", "Ohorella", "Marasabessy", "Tuanaya", "Lessy", "Sangadji", "Wailissa",
};
static const char *const toraja_m[] = {"Yohanis", "Yulius", "Marthen", "Daniel", "Petrus", "Simon", "Kornelius", "Samuel", "Matius"};
static const char *const toraja_f[] = {"Agustina", "Yuliana", "Maria", "Ester", "Dorce", "Lince", "Rosmina", "Marlin"};
static const char *const toraja_fam[] = {
	"Paembonan", "Palimbong", "Pakiding", "Tandirerung", "Tangdilintin", "Sarira", "Rante Allo", "Sampe",
	"Pasolang", "Lembang", "Kalua", "Tandi",
};
static const char *const batak_m[] = {"Robert", "Hotman", "Jhonson", "Lamhot", "Maruli", "Parlindungan", "Saut", "Togar", "Poltak", "Binsar", "Sahat"};
static const char *const batak_f[] = {"Rosmawati", "Tiurma", "Tiarma", "Rosdiana", "Lasmaria", "Rumondang", "Nurmala", "Hotmaida", "Dame"};
static const char *const batak_fam[] = {
	"Simanjuntak", "Siregar", "Hutapea", "Sinaga", "Nainggolan", "Pardede", "Situmorang", "Manurung",
	"Silalahi", "Sitompul", "Panjaitan", "Simatupang", "Hutagalung", "Napitupulu", "Tampubolon", "Sihombing",
};
static const char *const ntt_m[] = {
	"Yosef", "Fransiskus", "Yohanes", "Agustinus", "Kornelis", "Dominggus", "Yakobus", "Anselmus",
	"Benediktus", "Ferdinandus", "Aloysius", "Gabriel", "Stefanus", "Melkianus", "Yeremias",
};
static const char *const ntt_f[] = {
	"Maria", "Maria Goreti", "Yuliana", "Theresia", "Veronika", "Maria Yasinta", "Yustina", "Imelda",
	"Katarina", "Bernadeta", "Florentina", "Agnes",
};
static const char *const ntt_fam[] = {
	"Fanggidae", "Ndun", "Bessie", "Manafe", "Tanone", "Radja", "Koten", "Mau", "Lake", "Da Costa",
	"Fernandez", "Bria", "Nenobais", "Neno", "Kolo", "Tefa", "Seran", "Nahak", "Bere",
};

/* towns people name as birth place, by regency; other regencies use the regency's own name */
static const struct {
	int code;
	const char *town;
} towns[] = {
	{9101, "Merauke"}, {9102, "Wamena"}, {9103, "Sentani"}, {9104, "Nabire"}, {9105, "Serui"},
	{9106, "Biak"}, {9109, "Timika"}, {9171, "Jayapura"}, {9201, "Sorong"}, {9202, "Manokwari"},
	{9203, "Fakfak"}, {9204, "Teminabuan"}, {9205, "Raja Ampat"}, {9206, "Bintuni"}, {9207, "Wasior"},
	{9208, "Kaimana"}, {9209, "Sausapor"}, {9210, "Ayamaru"}, {9271, "Sorong"}, {9401, "Nabire"},
	{9404, "Timika"}, {9501, "Wamena"}, {9601, "Aimas"}, {9602, "Teminabuan"}, {9603, "Waisai"},
	{9604, "Sausapor"}, {9605, "Ayamaru"}, {9671, "Sorong"}, {7371, "Makassar"}, {7308, "Bone"},
	{7313, "Sengkang"}, {7372, "Parepare"}, {7314, "Sidrap"}, {7315, "Pinrang"}, {7302, "Bulukumba"},
	{7306, "Gowa"}, {7309, "Maros"}, {7373, "Palopo"}, {7318, "Makale"}, {7326, "Rantepao"},
	{7404, "Pasarwajo"}, {7472, "Baubau"}, {7403, "Raha"}, {7407, "Wakatobi"}, {7471, "Kendari"},
	{7410, "Buton"}, {7413, "Muna"}, {7414, "Buton"}, {7415, "Buton"},
	{8171, "Ambon"}, {8101, "Masohi"}, {8172, "Tual"}, {8104, "Namlea"}, {8106, "Piru"},
	{8102, "Langgur"}, {8271, "Ternate"}, {8272, "Tidore"}, {8204, "Labuha"}, {3578, "Surabaya"},
	{3573, "Malang"}, {3571, "Kediri"}, {3506, "Kediri"}, {3510, "Banyuwangi"}, {3509, "Jember"},
	{3505, "Blitar"}, {3572, "Blitar"}, {3374, "Semarang"}, {3372, "Solo"}, {3375, "Pekalongan"},
	{3326, "Pekalongan"}, {3376, "Tegal"}, {3328, "Tegal"}, {3310, "Klaten"}, {5371, "Kupang"},
	{5301, "Kupang"}, {5308, "Ende"}, {5307, "Maumere"}, {5304, "Atambua"}, {5306, "Larantuka"},
	{5310, "Ruteng"}, {5302, "Soe"}, {5311, "Waingapu"}, {5305, "Kalabahi"}, {1271, "Medan"},
	{1272, "Pematangsiantar"}, {1202, "Tarutung"}, {1212, "Balige"}, {1273, "Sibolga"},
};

static const char *const papua_towns[] = {
	"Sorong", "Aimas", "Manokwari", "Teminabuan", "Raja Ampat", "Fakfak", "Ayamaru", "Biak", "Serui",
	"Kaimana", "Bintuni", "Jayapura", "Makbon", "Klamono", "Sausapor", "Waisai",
};

static const int buton_codes[] = {7404, 7472, 7403, 7407, 7410, 7413, 7414, 7415};
static const int toraja_codes[] = {7318, 7326};
static const int batak_codes[] = {1202, 1212, 1216, 1217, 1208, 1272, 1271, 1273, 1206, 1211};

/* ---- per-city flavour: where people come from, streets, markets ---- */

static const struct weight sorong_migr[] = {
	{73, 22}, {74, 14}, {81, 12}, {82, 5}, {33, 9}, {35, 10}, {53, 9}, {91, 4},
	{92, 6}, {94, 2}, {95, 1}, {96, 3}, {12, 2}, {72, 1},
};
static const char *const sorong_streets[] = {
	"Jl. Basuki Rahmat", "Jl. Sungai Maruni", "Jl. Ahmad Yani", "Jl. Jenderal Sudirman",
	"Jl. Sam Ratulangi", "Jl. Yos Sudarso", "Jl. Selat Sagawin", "Jl. Pendidikan", "Jl. Kalimantan",
	"Jl. Danau Ayamaru", "Jl. Frans Kaisiepo", "Jl. Arfak", "Jl. Cenderawasih", "Jl. Kasuari",
	"Jl. Merpati", "Jl. Sungai Kamundan", "Jl. Sungai Mamberamo", "Jl. Victory", "Jl. Malibela",
	"Jl. Pramuka", "Jl. Kanal Victory", "Jl. Bubara", "Jl. Rajawali", "Jl. Trikora", "Jl. Baru",
	"Kompleks Pasar Remu", "Kompleks Perumnas", "Kompleks Bambu Kuning", "Kompleks Pelabuhan",
};
static const char *const sorong_markets[] = {"Pasar Remu", "Pasar Boswesen", "Pasar Modern Rufei", "Pasar Sentral Remu"};
static const char *const sorong_vendors[] = {"Tembok Berlin", "Depan Pasar Remu", "Terminal Remu", "Jl. Ahmad Yani", "Pinggir Jl. Basuki Rahmat"};
static const char *const sorong_ojek[] = {
	"Pangkalan Ojek Pasar Remu", "Pangkalan Ojek Terminal Remu", "Pangkalan Ojek Bandara DEO",
	"Pangkalan Ojek Pelabuhan Sorong", "Pangkalan Ojek Km 10", "Pangkalan Ojek Km 12",
	"Pangkalan Ojek Rufei", "Pangkalan Ojek Boswesen", "Pangkalan Ojek Malanu",
};
static const char *const sorong_fish[] = {
	"Pelabuhan Perikanan Nusantara Sorong", "Tempat Pendaratan Ikan Jembatan Puri",
	"Tempat Pendaratan Ikan Klademak", "Tempat Pendaratan Ikan Rufei", "Pesisir Pulau Doom",
	"Pelabuhan Perikanan Sorong",
};
static const char *const sorong_farms[] = {"Kebun Sendiri", "Kebun Km 12", "Kebun Klasabi", "Kebun Malaingkedi", "Kebun Klablim", "Ladang Sendiri"};
static const char *const sorong_parking[] = {
	"Parkiran Pasar Remu", "Parkiran Pasar Boswesen", "Parkiran Jl. Ahmad Yani", "Parkiran Pelabuhan Sorong",
	"Parkiran Tembok Berlin",
};
static const char *const sorong_churches[] = {
	"Gereja GKI Maranatha", "Gereja GKI Imanuel", "Gereja GKI Betlehem", "Gereja GKI Elim",
	"Gereja Katolik Santo Yosep", "Gereja Bethel Indonesia",
};
static const char *const common_mosques[] = {"Masjid Al-Ikhlas", "Masjid Nurul Huda", "Masjid At-Taqwa", "Masjid Al-Falah", "Masjid Baitul Rahman"};

static const struct weight ambon_migr[] = {
	{74, 25}, {73, 20}, {82, 15}, {81, 15}, {33, 8}, {35, 7}, {53, 5}, {92, 3}, {91, 2},
};
static const char *const ambon_streets[] = {
	"Jl. A.Y. Patty", "Jl. Sultan Hairun", "Jl. Dr. Latumeten", "Jl. Jenderal Sudirman", "Jl. Pattimura",
	"Jl. Said Perintah", "Jl. Diponegoro", "Jl. Tulukabessy", "Jl. Kapitan Ulupaha", "Jl. Laksdya Leo Wattimena",
};
static const char *const ambon_markets[] = {"Pasar Mardika", "Pasar Batu Merah", "Pasar Passo"};
static const char *const ambon_vendors[] = {"Depan Pasar Mardika", "Terminal Mardika", "Jl. A.Y. Patty", "Pantai Losari Ambon"};
static const char *const ambon_ojek[] = {"Pangkalan Ojek Mardika", "Pangkalan Ojek Batu Merah", "Pangkalan Ojek Passo", "Pangkalan Ojek Galala"};
static const char *const ambon_fish[] = {"Pelabuhan Perikanan Nusantara Ambon", "Tempat Pendaratan Ikan Eri", "Pesisir Latuhalat", "Tempat Pendaratan Ikan Galala"};
static const char *const ambon_farms[] = {"Kebun Sendiri", "Kebun Soya", "Dusun Hutumury", "Kebun Naku"};
static const char *const ambon_parking[] = {"Parkiran Pasar Mardika", "Parkiran Jl. A.Y. Patty", "Parkiran Pelabuhan Yos Sudarso"};
static const char *const ambon_churches[] = {"Gereja Protestan Maluku Silo", "Gereja Protestan Maluku Rehoboth", "Gereja Katolik Santo Fransiskus Xaverius"};

static const struct weight pkl_migr[] = {{33, 55}, {35, 12}, {32, 12}, {31, 6}, {34, 6}, {36, 4}, {73, 3}, {12, 2}};
static const char *const pkl_streets[] = {
	"Jl. Hayam Wuruk", "Jl. Dr. Wahidin", "Jl. Merdeka", "Jl. KH Mansyur", "Jl. Gajah Mada",
	"Jl. Sultan Agung", "Jl. Jlamprang", "Jl. Pattimura", "Jl. Sriwijaya",
};
static const char *const pkl_markets[] = {"Pasar Banjarsari", "Pasar Grogolan", "Pasar Podosugih", "Pasar Kraton"};
static const char *const pkl_vendors[] = {"Alun-Alun Pekalongan", "Depan Stasiun Pekalongan", "Jl. Hayam Wuruk"};
static const char *const pkl_ojek[] = {"Pangkalan Ojek Stasiun Pekalongan", "Pangkalan Ojek Pasar Banjarsari", "Pangkalan Ojek Terminal Pekalongan"};
static const char *const pkl_fish[] = {"Pelabuhan Perikanan Nusantara Pekalongan", "Tempat Pelelangan Ikan Pekalongan", "Pesisir Panjang Wetan"};
static const char *const pkl_farms[] = {"Sawah Sendiri", "Sawah Degayu", "Sawah Kuripan"};
static const char *const pkl_parking[] = {"Parkiran Pasar Banjarsari", "Parkiran Alun-Alun", "Parkiran Jl. Hayam Wuruk"};
static const char *const pkl_churches[] = {"Gereja Kristen Jawa Pekalongan", "Gereja Katolik Santo Petrus"};

const struct profile profiles[] = {
	{"96.71", "Sorong", "9271", 45, 35, {50, 14, 10, 12, 6, 3, 2, 3}, sorong_migr, NELEM(sorong_migr),
	 LIST(sorong_streets), LIST(sorong_markets), LIST(sorong_vendors), LIST(sorong_ojek), LIST(sorong_fish),
	 LIST(sorong_farms), LIST(sorong_parking), LIST(sorong_churches), LIST(common_mosques),
	 "Dinas Lingkungan Hidup Kota Sorong", "03 04 07 10", "02 08 09", 1},
	{"81.71", "Ambon", NULL, 0, 80, {0, 8, 14, 3, 72, 1, 1, 1}, ambon_migr, NELEM(ambon_migr),
	 LIST(ambon_streets), LIST(ambon_markets), LIST(ambon_vendors), LIST(ambon_ojek), LIST(ambon_fish),
	 LIST(ambon_farms), LIST(ambon_parking), LIST(ambon_churches), LIST(common_mosques),
	 "Dinas Lingkungan Hidup dan Persampahan Kota Ambon", "01 04", "03 05", 0},
	{"33.75", "Pekalongan", NULL, 0, 82, {0, 0, 0, 100, 0, 0, 0, 0}, pkl_migr, NELEM(pkl_migr),
	 LIST(pkl_streets), LIST(pkl_markets), LIST(pkl_vendors), LIST(pkl_ojek), LIST(pkl_fish),
	 LIST(pkl_farms), LIST(pkl_parking), LIST(pkl_churches), LIST(common_mosques),
	 "Dinas Lingkungan Hidup Kota Pekalongan", "03", "04", 0},
	{NULL, NULL, NULL, 0, 80, {50, 14, 10, 12, 6, 3, 2, 3}, sorong_migr, NELEM(sorong_migr),
	 LIST(sorong_streets), LIST(sorong_markets), LIST(sorong_vendors), LIST(sorong_ojek), LIST(sorong_fish),
	 LIST(sorong_farms), LIST(sorong_parking), LIST(sorong_churches), LIST(common_mosques),
	 "Dinas Lingkungan Hidup", "", "", 0},
};

/* ---- jobs ---- */

static const int job_weight[NJOB] = {22, 5, 10, 20, 10, 8, 9, 6, 4, 4, 2};

/* ---- the generator ---- */

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* adds nik (non-zero); 0 when it was there already */
static int nikset_add(struct nikset *s, uint64_t nik)
{
	if (2 * (s->n + 1) > s->cap) {
		struct nikset old = *s;
		s->cap = old.cap ? 2 * old.cap : 1 << 15;
		s->v = calloc(s->cap, sizeof(*s->v));
		if (!s->v)
			die(1, "out of memory");
		s->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i])
				nikset_add(s, old.v[i]);
		free(old.v);
	}
	size_t i = (size_t)hash64(nik) & (s->cap - 1);
	for (; s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == nik)
			return 0;
	s->v[i] = nik;
	s->n++;
	return 1;
}

static const char *town_of(const struct data *d, int code, char *buf, size_t n)
{
	for (size_t i = 0; i < NELEM(towns); i++)
		if (towns[i].code == code)
			return towns[i].town;
	const char *nm = d->regname[code] ? d->regname[code] : "Sorong";
	static const char *const strip[] = {"Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota ", "KAB. ", "KOTA "};
	for (size_t i = 0; i < NELEM(strip); i++)
		if (!strncmp(nm, strip[i], strlen(strip[i]))) {
			nm += strlen(strip[i]);
			break;
		}
	snprintf(buf, n, "%s", nm);
	str_title(buf);
	return buf;
}

/* a regency of province prov, never the city's own codes */
static int pick_regency(struct gen *g, int prov)
{
	const struct data *d = g->data;
	if (!d->prov_n[prov])
		prov = 73;
	for (int tries = 0; tries < 50; tries++) {
		int c = d->prov_codes[prov][rng_below(&g->rng, (uint32_t)d->prov_n[prov])];
		if (c != g->local && !(g->prof->old_prefix && c == atoi(g->prof->old_prefix)))
			return c;
	}
	return d->prov_codes[prov][0];
}

static int pick_code(struct gen *g, const int *codes, size_t n)
{
	for (int tries = 0; tries < 20; tries++) {
		int c = codes[rng_below(&g->rng, (uint32_t)n)];
		if (g->data->regency[c] && c != g->local)
			return c;
	}
	return pick_regency(g, codes[0] / 100);
}

/* a home regency for someone of group gr */
static int group_regency(struct gen *g, enum group gr)
{
	static const int papua[] = {92, 92, 92, 96, 96, 91, 94, 95};
	static const int bugis[] = {73, 73, 73, 73, 74, 72};
	static const int jawa[] = {33, 35, 35, 32};
	switch (gr) {
	case G_PAPUA: return pick_regency(g, PICK(&g->rng, papua));
	case G_BUGIS: {
		int c;
		do
			c = pick_regency(g, PICK(&g->rng, bugis));
		while (c == 7318 || c == 7326);
		return c;
	}
	case G_BUTON: return pick_code(g, buton_codes, NELEM(buton_codes));
	case G_JAWA: return pick_regency(g, PICK(&g->rng, jawa));
	case G_AMBON: return pick_regency(g, 81);
	case G_TORAJA: return pick_code(g, toraja_codes, NELEM(toraja_codes));
	case G_BATAK: return pick_code(g, batak_codes, NELEM(batak_codes));
	case G_NTT: return pick_regency(g, 53);
	default: return pick_regency(g, 73);
	}
}

/* the origin group of a migrant registered in regency code */
static enum group group_of_regency(struct gen *g, int code)
{
	int prov = code / 100, x = (int)rng_below(&g->rng, 100);
	switch (prov) {
	case 73: return code == 7318 || code == 7326 ? G_TORAJA : G_BUGIS;
	case 74: return x < 65 ? G_BUTON : G_BUGIS;
	case 81: return x < 75 ? G_AMBON : G_BUTON;
	case 82: return x < 40 ? G_AMBON : x < 70 ? G_BUTON : G_BUGIS;
	case 53: return G_NTT;
	case 12: return G_BATAK;
	case 72: return G_BUGIS;
	case 91: case 92: case 94: case 95: case 96: return G_PAPUA;
	default: return G_JAWA;
	}
}

static void make_name(struct gen *g, struct person *p)
{
	struct rng *r = &g->rng;
	int f = p->sex == SEX_P;
	char *o = p->name;
	size_t n = sizeof(p->name);
	switch (p->group) {
	case G_PAPUA: {
		const char *given = f ? PICK(r, papua_f) : PICK(r, papua_m), *fam = PICK(r, papua_fam);
		int x = (int)rng_below(r, 10);
		if (x < 6)
			snprintf(o, n, "%s %s", given, fam);
		else if (x < 8) {
			const char *second;
			do
				second = f ? PICK(r, papua_f) : PICK(r, papua_m);
			while (second == given);
			snprintf(o, n, "%s %s %s", given, second, fam);
		}
		else
			snprintf(o, n, "%s %c. %s", given, "ABDEFHJKLMNOPRSWY"[rng_below(r, 17)], fam);
		break;
	}
	case G_BUGIS:
		if (rng_pm(r, 150))
			snprintf(o, n, "Andi %s", f ? PICK(r, andi_f) : PICK(r, andi_m));
		else
			snprintf(o, n, "%s", f ? PICK(r, bugis_f) : PICK(r, bugis_m));
		break;
	case G_BUTON:
		if (rng_pm(r, 550))
			snprintf(o, n, "%s %s", f ? "Wa Ode" : "La Ode", f ? PICK(r, waode_f) : PICK(r, laode_m));
		else
			snprintf(o, n, "%s %s", f ? "Wa" : "La", f ? PICK(r, wa_f) : PICK(r, la_m));
		break;
	case G_JAWA:
		if (rng_pm(r, 300))
			snprintf(o, n, "%s", f ? PICK(r, jawa_f) : PICK(r, jawa_m));
		else
			snprintf(o, n, "%s %s", f ? PICK(r, jawa_f1) : PICK(r, jawa_m1), f ? PICK(r, jawa_f2) : PICK(r, jawa_m2));
		break;
	case G_AMBON:
		if (p->muslim)
			snprintf(o, n, "%s %s", f ? PICK(r, ambon_mf) : PICK(r, ambon_mm), PICK(r, ambon_mfam));
		else
			snprintf(o, n, "%s %s", f ? PICK(r, ambon_cf) : PICK(r, ambon_cm), PICK(r, ambon_cfam));
		break;
	case G_TORAJA:
		snprintf(o, n, "%s %s", f ? PICK(r, toraja_f) : PICK(r, toraja_m), PICK(r, toraja_fam));
		break;
	case G_BATAK:
		snprintf(o, n, "%s %s", f ? PICK(r, batak_f) : PICK(r, batak_m), PICK(r, batak_fam));
		break;
	default:
		snprintf(o, n, "%s %s", f ? PICK(r, ntt_f) : PICK(r, ntt_m), PICK(r, ntt_fam));
		break;
	}
	/* phones autocorrect the apostrophe in Ma'ruf or Nur'aini now and then */
	char *q = strchr(o, '\'');
	if (q && rng_pm(r, 250) && strlen(o) + 3 < n) {
		memmove(q + 3, q + 1, strlen(q + 1) + 1);
		memcpy(q, "\xE2\x80\x99", 3);
	}
}

/* the NIK's last ten digits' worth: registered district, birth date, serial; unique across all files */
static void make_nik(struct gen *g, struct person *p, int prefix, int district)
{
	for (int tries = 0;; tries++) {
		int serial = rng_pm(&g->rng, 700) ? rng_range(&g->rng, 1, 300) : rng_range(&g->rng, 1, 9999);
		if (tries > 100) { /* this date is crowded: another day of the month will do */
			if (p->bd == p->nik_d && p->bm == p->nik_m && p->by == p->nik_y)
				p->bd = p->nik_d = rng_range(&g->rng, 1, days_in_month(p->nik_y, p->nik_m));
			else
				p->nik_d = rng_range(&g->rng, 1, days_in_month(p->nik_y, p->nik_m));
		}
		snprintf(p->nik, sizeof(p->nik), "%04d%02d%02d%02d%02d%04d", prefix, district,
			 p->nik_d + (p->nik_sex == SEX_P ? 40 : 0), p->nik_m, p->nik_y % 100, serial);
		if (nikset_add(&g->seen, strtoull(p->nik, NULL, 10)))
			return;
	}
}

enum job pick_job(struct gen *g, const struct person *p, const struct distrik *ds)
{
	int w[NJOB];
	char num[4];
	memcpy(w, job_weight, sizeof(w));
	snprintf(num, sizeof(num), "%02d", ds->num);
	if (strstr(g->prof->coastal, num))
		w[J_NELAYAN] *= 2;
	if (strstr(g->prof->rural, num))
		w[J_PETANI] *= 2;
	if (!g->prof->mama_papua || p->group != G_PAPUA || p->sex != SEX_P)
		w[J_MAMA] = 0;
	else
		w[J_MAMA] *= 3;
	if (p->sex == SEX_P)
		w[J_OJEK] = w[J_BANGUNAN] = w[J_NELAYAN] = 0, w[J_PARKIR] /= 2;
	return (enum job)rng_weighted(&g->rng, w, NJOB);
}

static void make_phone(struct gen *g, char *out, size_t n)
{
	static const char *const tsel[] = {"0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0851"};
	static const char *const other[] = {"0814", "0815", "0856", "0857", "0817", "0818", "0819", "0859", "0877", "0878", "0895", "0896", "0881"};
	struct rng *r = &g->rng;
	const char *pre = rng_pm(r, 800) ? PICK(r, tsel) : PICK(r, other);
	char rest[12];
	int len = rng_pm(r, 600) ? 8 : rng_pm(r, 500) ? 7 : 9;
	for (int i = 0; i < len; i++)
		rest[i] = (char)('0' + rng_below(r, 10));
	rest[len] = '\0';
	int x = (int)rng_below(r, 100);
	if (x < 85)
		snprintf(out, n, "%s%s", pre, rest);
	else if (x < 91)
		snprintf(out, n, "+62%s%s", pre + 1, rest);
	else if (x < 95)
		snprintf(out, n, "+62 %.3s %.4s %s", pre + 1, rest, rest + 4);
	else
		snprintf(out, n, "%s-%.4s-%s", pre, rest, rest + 4);
}

/*
 * A new, valid worker living in distrik ds; warn adds the NIK/birth date or NIK/sex mismatch that is
 * only a warning.
 */
void make_person(struct gen *g, struct person *p, const struct distrik *ds, int warn)
{
	struct rng *r = &g->rng;
	const struct profile *pr = g->prof;
	char buf[64];
	int prefix, district, x = (int)rng_below(r, 100);

	memset(p, 0, sizeof(*p));
	p->sex = rng_pm(r, 560) ? SEX_L : SEX_P;
	if (x < pr->old_pct + pr->new_pct) {
		prefix = x < pr->old_pct ? atoi(pr->old_prefix) : g->local;
		district = rng_pm(r, 700) ? ds->num : g->dis[rng_below(r, (uint32_t)g->ndis)].num;
		p->group = (enum group)rng_weighted(r, pr->local_group, NGROUP);
		if (rng_pm(r, p->group == G_PAPUA ? 700 : 550))
			snprintf(p->place, sizeof(p->place), "%s", pr->place);
		else if (p->group == G_PAPUA)
			snprintf(p->place, sizeof(p->place), "%s", PICK(r, papua_towns));
		else
			snprintf(p->place, sizeof(p->place), "%s", town_of(g->data, group_regency(g, p->group), buf, sizeof(buf)));
	} else {
		int pw[32];
		for (size_t i = 0; i < pr->nmigr; i++)
			pw[i] = pr->migr[i].w;
		int prov = pr->migr[rng_weighted(r, pw, (int)pr->nmigr)].prov;
		prefix = prov == 12 ? pick_code(g, batak_codes, NELEM(batak_codes)) : pick_regency(g, prov);
		district = rng_pm(r, 600) ? rng_range(r, 1, 8) : rng_range(r, 1, 20);
		p->group = group_of_regency(g, prefix);
		if (rng_pm(r, 850))
			snprintf(p->place, sizeof(p->place), "%s", town_of(g->data, prefix, buf, sizeof(buf)));
		else
			snprintf(p->place, sizeof(p->place), "%s", town_of(g->data, group_regency(g, p->group), buf, sizeof(buf)));
	}
	switch (p->group) {
	case G_BUGIS: case G_BUTON: p->muslim = 1; break;
	case G_JAWA: p->muslim = rng_pm(r, 900); break;
	case G_AMBON: p->muslim = rng_pm(r, 450); break;
	default: p->muslim = 0; break;
	}

	/* ages 18-69 on 1 January REF_YEAR, most of them 25-55 */
	int age = 18 + (int)((rng_below(r, 52) + rng_below(r, 52)) / 2);
	p->by = REF_YEAR - age;
	if (pr->old_prefix && prefix == atoi(pr->old_prefix) && p->by > 2004) /* old Kota Sorong code: registered (aged 17) before 2022 */
		p->by = rng_range(r, 1960, 2004);
	p->bm = rng_range(r, 1, 12);
	p->bd = rng_range(r, 1, days_in_month(p->by, p->bm));
	p->nik_y = p->by, p->nik_m = p->bm, p->nik_d = p->bd, p->nik_sex = p->sex;
	if (warn) {
		if (rng_pm(r, 300)) {
			p->sex = !p->sex; /* the clerk's record, not the NIK */
		} else {
			/* a birth date corrected after the NIK was issued */
			int y = p->by, m = p->bm, d = p->bd;
			switch (rng_below(r, 3)) {
			case 0: y += rng_pm(r, 500) ? rng_range(r, 1, 3) : -rng_range(r, 1, 3); break;
			case 1: m = m % 12 + 1; break;
			default: d = d % 28 + 1; break;
			}
			if (y > REF_YEAR - 18)
				y = REF_YEAR - 19;
			if (d > days_in_month(y, m))
				d = days_in_month(y, m);
			if (y == p->by && m == p->bm && d == p->bd)
				y--;
			p->by = y, p->bm = m, p->bd = d;
		}
	}
	make_nik(g, p, prefix, district);
	make_name(g, p);

	/* family card: issued where they live now, or brought from home */
	int region, iy = rng_range(r, 2005, 2025), im = rng_range(r, 1, 12);
	if (x < pr->old_pct && rng_pm(r, 700)) {
		region = prefix * 100 + ds->num; /* a card from before the split */
		iy = rng_range(r, 2005, 2021);
	} else if (x < pr->old_pct + pr->new_pct || rng_pm(r, 600)) {
		region = g->local * 100 + ds->num;
	} else {
		region = prefix * 100 + district;
	}
	snprintf(p->kk, sizeof(p->kk), "%06d%02d%02d%02d%04d", region, rng_range(r, 1, days_in_month(iy, im)), im,
		 iy % 100, rng_pm(r, 800) ? rng_range(r, 1, 999) : rng_range(r, 1000, 9999));

	p->upper = rng_pm(r, 760);
	p->job = pick_job(g, p, ds);
	make_phone(g, p->phone, sizeof(p->phone));
	static const int incomes[] = {1000000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000, 5000000};
	static const int income_w[] = {72, 8, 8, 4, 4, 1, 2, 1};
	p->income = incomes[rng_weighted(r, income_w, (int)NELEM(income_w))];
	if (p->job == J_HONORER && p->income < 1500000 && rng_pm(r, 300))
		p->income = 1500000;
}

/* the same person registered again elsewhere: the name typed differently, another phone perhaps */
void respell(struct gen *g, struct person *p)
{
	static const char *const subst[][2] = {
		{"Yoh", "Joh"}, {"Yul", "Jul"}, {"Yak", "Jak"}, {"Yos", "Jos"}, {"Yus", "Jus"}, {"th", "t"},
		{"Muhammad", "Muhamad"}, {"Muhammad", "Moh."}, {"Sitti", "Siti"}, {"Siti", "Sitti"}, {"dj", "j"},
		{"Petronela", "Petronella"}, {"Nelce", "Nelci"}, {"uddin", "udin"}, {"Agustin", "Augustin"},
		{"Ch", "K"}, {"Abd.", "Abdul"}, {"Muh.", "Muhammad"}, {"St.", "Sitti"}, {"ss", "s"}, {"ie", "i"},
	};
	struct rng *r = &g->rng;
	char tmp[sizeof(p->name)];
	if (rng_pm(r, 650)) {
		size_t start = rng_below(r, (uint32_t)NELEM(subst));
		for (size_t i = 0; i < NELEM(subst); i++) {
			const char *const *s = subst[(start + i) % NELEM(subst)];
			if (str_replace1(tmp, sizeof(tmp), p->name, s[0], s[1])) {
				memcpy(p->name, tmp, sizeof(tmp));
				break;
			}
		}
	}
	if (rng_pm(r, 400))
		p->upper = !p->upper;
	if (rng_pm(r, 400))
		make_phone(g, p->phone, sizeof(p->phone));
}
