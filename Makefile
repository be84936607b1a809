# sinkron: one Makefile.  `make` builds, `make test` runs the suite, `make demo` runs the mission,
# `make bench` prints the benchmark figures.  Options: SANITIZE=address,undefined  DEVELOPER=1 (-Werror)
# Missing build packages are installed through apt-get by scripts/install-deps.

CC       ?= cc
PKGS      = sqlite3 libgit2 zlib libmicrohttpd libsodium libzip expat xlsxwriter freexl libcrypto
WARN      = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wwrite-strings -fno-common
CFLAGS   ?= -O2 -g
# DEVELOPER=1 turns warnings into errors in the engine and the agent and in the build's own programs alike
DEV_CFLAGS = $(if $(DEVELOPER),-Werror)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(DEV_CFLAGS) $(CFLAGS) -MMD -MP -Isync -Ibuild/gen
LDLIBS    = -lpthread -lm
ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=$(SANITIZE)
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

B = build
SYNC_SRC  = $(wildcard sync/*.c sync/register/*.c)
AGENT_SRC = $(wildcard agent/*.c)
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
TOOL_SRC  = $(wildcard tests/tools/*.c)
BENCH_SRC = $(wildcard tests/bench/*.c)
EMBEDDED  = $(sort $(wildcard schema/*.sql)) $(wildcard schema/data/*.csv)
# the web pages' assets and the compiled message catalogue, embedded like the schema
WEB_ASSETS = $(sort $(wildcard agent/web/*)) $(B)/gen/id.mo

SYNC_OBJ  = $(SYNC_SRC:%.c=$(B)/%.o) $(B)/gen/embedded.o
AGENT_OBJ = $(AGENT_SRC:%.c=$(B)/%.o) $(B)/gen/webassets.o
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOL_BIN  = $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)
BENCH_BIN = $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)

all: $(B)/sinkron $(B)/gen-workers $(UNIT_BIN) $(TOOL_BIN) $(BENCH_BIN) $(B)/tests/fuzz-replay

deps:
	@scripts/install-deps

$(B)/.deps-ok: scripts/install-deps
	@scripts/install-deps && mkdir -p $(B) && touch $@

$(B)/%.o: %.c | $(B)/.deps-ok $(B)/gen/embedded.h $(B)/gen/webassets.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(B)/embed: scripts/embed.c | $(B)/.deps-ok
	@mkdir -p $(B)
	$(CC) -std=c11 $(WARN) $(DEV_CFLAGS) -O2 -o $@ $<

$(B)/gen/embedded.c $(B)/gen/embedded.h: $(B)/embed $(EMBEDDED)
	@mkdir -p $(B)/gen
	$(B)/embed $(B)/gen/embedded $(EMBEDDED)

$(B)/gen/embedded.o: $(B)/gen/embedded.c
	$(CC) -std=c11 -O2 -c -o $@ $<

$(B)/gen/id.mo: po/id.po | $(B)/.deps-ok
	@mkdir -p $(B)/gen
	msgfmt --check-format -o $@ po/id.po

# one recipe writes both files (a rule with two targets would run it twice under -j)
$(B)/gen/webassets.h: $(B)/gen/webassets.c
$(B)/gen/webassets.c: $(B)/embed $(WEB_ASSETS)
	@mkdir -p $(B)/gen
	$(B)/embed $(B)/gen/webassets.tmp $(WEB_ASSETS)
	sed 's/sk_embedded_files/web_assets/; s/sk_embedded_count/web_assets_count/; s/"embedded.h"/"webassets.h"/' \
		$(B)/gen/webassets.tmp.c >$(B)/gen/webassets.c
	sed 's/sk_embedded_files/web_assets/; s/sk_embedded_count/web_assets_count/' $(B)/gen/webassets.tmp.h >$(B)/gen/webassets.h
	rm -f $(B)/gen/webassets.tmp.c $(B)/gen/webassets.tmp.h

$(B)/gen/webassets.o: $(B)/gen/webassets.c
	$(CC) -std=c11 -O2 -c -o $@ $<

$(B)/libsinkron.a: $(SYNC_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/sinkron: $(AGENT_OBJ) $(B)/libsinkron.a
	$(CC) $(LDFLAGS) -o $@ $(AGENT_OBJ) $(B)/libsinkron.a $(PKG_LIBS) $(LDLIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/testhelp.h $(B)/libsinkron.a
	@mkdir -p $(B)/tests
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(B)/libsinkron.a $(PKG_LIBS) $(LDLIBS)

# benchmark drivers: they link the engine, like the unit tests
$(B)/bench/%: tests/bench/%.c $(B)/libsinkron.a
	@mkdir -p $(B)/bench
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libsinkron.a $(PKG_LIBS) $(LDLIBS)

# a tool is tests/tools/NAME.c, with the files in tests/tools/NAME/ when it has more
$(B)/tools/%: tests/tools/%.c | $(B)/.deps-ok
	@mkdir -p $(B)/tools
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(DEV_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c,$^) $(LDLIBS)
$(B)/tools/linkproxy: $(wildcard tests/tools/linkproxy/*)

$(B)/gen-workers: scripts/gen-workers.c $(wildcard scripts/gen-workers-*.c) scripts/gen-workers.h
	@mkdir -p $(B)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) $(DEV_CFLAGS) -O2 -DSK_DATA_DIR="\"$(CURDIR)/schema/data\"" -o $@ $(filter %.c,$^) $(LDLIBS)

# the decoder's fuzz target, replayed over its corpus by `make test`; `make fuzz` runs libFuzzer (clang)
$(B)/tests/fuzz-replay: tests/fuzz/fuzz_changeset.c tests/fuzz/replay.c $(B)/libsinkron.a
	@mkdir -p $(B)/tests
	$(CC) $(ALL_CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/fuzz_changeset.c tests/fuzz/replay.c $(B)/libsinkron.a $(PKG_LIBS) $(LDLIBS)

fuzz: | $(B)/.deps-ok
	@mkdir -p $(B)/fuzz
	clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Isync -Ibuild/gen $(PKG_CFLAGS) \
		-o $(B)/fuzz/fuzz_changeset tests/fuzz/fuzz_changeset.c $(SYNC_SRC) $(B)/gen/embedded.c $(PKG_LIBS) $(LDLIBS)
	mkdir -p $(B)/fuzz/corpus && cp tests/fuzz/corpus/* $(B)/fuzz/corpus/
	$(B)/fuzz/fuzz_changeset -max_total_time=$${FUZZ_SECONDS:-60} $(B)/fuzz/corpus

test: all
	@tests/run

demo: all
	@scripts/demo

# every figure of the performance section: registry and change-sets, sync, the city, restore
bench: all
	@scripts/bench
	@scripts/bench-sync
	@scripts/bench-city
	@scripts/bench-restore
	@scripts/bench-web
	@scripts/bench-city-web

soak: all
	@tests/soak

clean:
	rm -rf $(B)

.PHONY: all deps test demo bench soak fuzz clean
-include $(shell find $(B) -name '*.d' 2>/dev/null)
