/*
 * i18n.h: every word a person reads comes from the message catalogue (po/id.po, compiled by
 * msgfmt at build time and embedded in the binary): _("English msgid") gives the text in the
 * language in force.  The command line follows LANG/LANGUAGE/LC_ALL/LC_MESSAGES; the web pages
 * set Indonesian for the thread serving them.
 */
#ifndef SK_I18N_H
#define SK_I18N_H

/* The language in force on this thread: "id" or "en" (the msgids themselves). */
void i18n_set_lang(const char *lang);
const char *i18n_lang(void);
/* The language the environment asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), set on this thread. */
void i18n_from_env(void);
/* The translation of msgid, or msgid itself; never NULL, never to be freed. */
const char *i18n_tr(const char *msgid) __attribute__((format_arg(1)));
/* A message made by the engine (English, with values in it) in the language in force: the
 * catalogue's entry whose msgid is msg, or whose msgid with its %-conversions read as
 * wildcards matches msg, with the values put into the translation in order; msg itself when
 * none matches.  Returns a string owned by the caller. */
char *i18n_tr_msg(const char *msg);

#define _(s) i18n_tr(s)
/* marks a msgid for the catalogue where the translation is looked up later */
#define N_(s) (s)

#endif
