/*
 * i18n.c: the message catalogue: a GNU .mo file (po/id.po compiled by msgfmt) embedded in the
 * binary and read here, so the pages are in Indonesian whatever locales the machine has
 * installed, and each thread (each web request) can have its own language.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "sync.h"
#include "webassets.h"

static _Thread_local const char *cur_lang;

void i18n_set_lang(const char *lang)
{
	cur_lang = lang && !strncmp(lang, "id", 2) ? "id" : "en";
	/* amounts as the reader writes them: Rp16.800 in Indonesian, Rp16,800 in English */
	sk_money_grouping(cur_lang[0] == 'i' ? '.' : ',');
}

const char *i18n_lang(void)
{
	return cur_lang ? cur_lang : "en";
}

void i18n_from_env(void)
{
	const char *names[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
	for (int i = 0; i < 4; i++) {
		const char *v = getenv(names[i]);
		if (v && *v) {
			i18n_set_lang(v);
			return;
		}
	}
	i18n_set_lang("en");
}

/* ---- the .mo file ---- */

static const unsigned char *mo;
static size_t mo_len;
static uint32_t mo_n, mo_orig, mo_trans;
static int mo_swap, mo_loaded;

static uint32_t rd32(size_t off)
{
	uint32_t v;
	if (off + 4 > mo_len)
		return 0;
	memcpy(&v, mo + off, 4);
	return mo_swap ? __builtin_bswap32(v) : v;
}

static void mo_load(void)
{
	if (mo_loaded)
		return;
	mo_loaded = 1;
	for (size_t i = 0; i < web_assets_count; i++)
		if (!strcmp(web_assets[i].name, "id.mo")) {
			mo = web_assets[i].data;
			mo_len = web_assets[i].len;
		}
	if (!mo || mo_len < 28)
		return;
	uint32_t magic;
	memcpy(&magic, mo, 4);
	if (magic == 0x950412de)
		mo_swap = 0;
	else if (magic == 0xde120495)
		mo_swap = 1;
	else {
		mo = NULL;
		return;
	}
	mo_n = rd32(8);
	mo_orig = rd32(12);
	mo_trans = rd32(16);
	if ((size_t)mo_orig + 8ull * mo_n > mo_len || (size_t)mo_trans + 8ull * mo_n > mo_len)
		mo = NULL;
}

static const char *mo_str(uint32_t table, uint32_t i, uint32_t *len)
{
	uint32_t l = rd32(table + 8 * i), off = rd32(table + 8 * i + 4);
	if ((size_t)off + l >= mo_len)
		return NULL;
	*len = l;
	return (const char *)mo + off;
}

/* The translation of index i, or NULL when it is empty */
static const char *mo_translation(uint32_t i)
{
	uint32_t len;
	const char *t = mo_str(mo_trans, i, &len);
	return t && len ? t : NULL;
}

const char *i18n_tr(const char *msgid)
{
	uint32_t lo = 0, hi;
	if (!msgid || !*msgid || strcmp(i18n_lang(), "id"))
		return msgid;
	mo_load();
	if (!mo)
		return msgid;
	hi = mo_n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, len;
		const char *s = mo_str(mo_orig, mid, &len);
		int c = s ? strcmp(msgid, s) : -1;
		if (c == 0) {
			const char *t = mo_translation(mid);
			return t ? t : msgid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return msgid;
}

/* ---- engine messages: match a msgid's conversions as wildcards ---- */

/* Length of the conversion at p ("%s", "%.40s", "%02d", "%lld", "%zu"), 0 if none */
static size_t conv_len(const char *p)
{
	size_t i = 1;
	if (p[0] != '%' || p[1] == '%')
		return 0;
	while (p[i] && strchr("0123456789.-+ #", p[i]))
		i++;
	while (p[i] && strchr("hlzjt", p[i]))
		i++;
	return p[i] && strchr("sdiuxXfgc", p[i]) ? i + 1 : 0;
}

#define MAX_ARGS 8
struct capture {
	int n;
	const char *p[MAX_ARGS];
	size_t len[MAX_ARGS];
};

/* Matches msg against the pattern pat (a msgid); the wildcards' text goes into cap. */
static int match(const char *pat, const char *msg, struct capture *cap)
{
	while (*pat) {
		size_t cl = conv_len(pat);
		if (cl) {
			int k = cap->n;
			if (k >= MAX_ARGS)
				return 0;
			pat += cl;
			/* a wildcard takes at least one character, as few as give a match */
			for (size_t take = 1; msg[take - 1]; take++) {
				cap->n = k + 1;
				cap->p[k] = msg;
				cap->len[k] = take;
				if (match(pat, msg + take, cap))
					return 1;
			}
			cap->n = k;
			return 0;
		}
		if (pat[0] == '%' && pat[1] == '%')
			pat++;
		if (*pat != *msg)
			return 0;
		pat++;
		msg++;
	}
	return *msg == '\0';
}

char *i18n_tr_msg(const char *msg)
{
	const char *t;
	struct sk_buf b = SK_BUF_INIT;
	if (!msg)
		return sk_strdup("");
	t = i18n_tr(msg);
	if (t != msg || strcmp(i18n_lang(), "id") || !mo)
		return sk_strdup(t);
	for (uint32_t i = 0; i < mo_n; i++) {
		uint32_t len;
		const char *id = mo_str(mo_orig, i, &len), *tr;
		struct capture cap = {0};
		if (!id || !strchr(id, '%') || !(tr = mo_translation(i)) || !match(id, msg, &cap))
			continue;
		int k = 0;
		for (const char *p = tr; *p;) {
			size_t cl = conv_len(p);
			if (cl) {
				if (k < cap.n)
					sk_buf_put(&b, cap.p[k], cap.len[k]);
				k++;
				p += cl;
			} else {
				if (p[0] == '%' && p[1] == '%')
					p++;
				sk_buf_putc(&b, *p++);
			}
		}
		return b.ptr ? (char *)b.ptr : sk_strdup("");
	}
	return sk_strdup(msg);
}
