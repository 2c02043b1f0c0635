# Templates (issue: page kit): tools/tmplc compiles every templates/**/*.html into one C file,
# $(B)/gen/templates.{c,h}, which goes into the library. The unit tests compile their own
# fixtures (tests/unit/templates/*.html) with the prefix test_tmpl_ so the symbols never clash.
#
# tmplc is a host tool: built without the sanitizer flags of the build it serves, from its own
# source plus the libc-only pieces of the library it shares (arena, buf, the UTF-8 check, and
# tmpl_hash from web/tmpl.h, so compile-time key hashes match the run time).

HOSTCC        ?= $(CC)
TMPLC         := $(B)/tools/tmplc
TMPLC_SRCS    := tools/tmplc.c src/util/arena.c src/util/buf.c src/web/html.c
TMPLC_HDRS    := src/util/arena.h src/util/buf.h src/web/html.h src/web/tmpl.h src/web/i18n.h
TMPLC_CFLAGS  := -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
                 -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -Isrc
TEMPLATES     := $(sort $(shell find templates -name '*.html' -o -name '*.txt' 2>/dev/null))
TEST_TEMPLATES := $(sort $(wildcard tests/unit/templates/*.html tests/unit/templates/*.txt))

$(TMPLC): $(TMPLC_SRCS) $(TMPLC_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(TMPLC_CFLAGS) -o $@ $(TMPLC_SRCS)

# One run writes both files (grouped target), so they are always from the same templates.
$(B)/gen/templates.c $(B)/gen/templates.h &: $(TMPLC) $(TEMPLATES)
	@mkdir -p $(dir $@)
	$(TMPLC) --root templates --out-c $(B)/gen/templates.c --out-h $(B)/gen/templates.h \
		$(TEMPLATES)

$(B)/gen/test_templates.c $(B)/gen/test_templates.h &: $(TMPLC) $(TEST_TEMPLATES)
	@mkdir -p $(dir $@)
	$(TMPLC) --root tests/unit/templates --prefix test_tmpl_ \
		--out-c $(B)/gen/test_templates.c --out-h $(B)/gen/test_templates.h $(TEST_TEMPLATES)

GEN_SRCS    += $(B)/gen/templates.c
GEN_HEADERS += $(B)/gen/templates.h

# The generated code includes web/tmpl.h like any other user of it.
$(B)/obj/gen/templates.o: src/web/tmpl.h $(B)/gen/templates.h

# Overrides the pattern rule: the template test also links its generated fixtures and runs
# tmplc on bad templates (path built in, $TMPLC overrides). $(LIB) is not defined yet when
# this file is read, so the prerequisite names the archive directly.
$(B)/tests/unit/test_tmpl: tests/unit/test_tmpl.c $(B)/gen/test_templates.c \
		$(B)/gen/test_templates.h $(TMPLC) $(B)/librefettorio.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -Itests -DTMPLC_PATH='"$(abspath $(TMPLC))"' $(LDFLAGS) -o $@ $< \
		$(B)/gen/test_templates.c $(LIB) $(LDLIBS) $(TEST_LIBS)

# libFuzzer over the compiler (parser, HTML context tracking, code generation).
TMPLC_FUZZ_BIN := $(B)/fuzz/fuzz_tmplc
FUZZ_CC   ?= clang
FUZZ_TIME ?= 30

$(TMPLC_FUZZ_BIN): fuzz/fuzz_tmplc.c $(TMPLC_SRCS) $(TMPLC_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Isrc \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ fuzz/fuzz_tmplc.c $(filter-out tools/tmplc.c,$(TMPLC_SRCS))

.PHONY: fuzz-tmplc
fuzz-tmplc: $(TMPLC_FUZZ_BIN)
	@mkdir -p $(B)/fuzz/corpus-tmplc
	$(TMPLC_FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -max_len=4096 \
		$(B)/fuzz/corpus-tmplc tests/unit/templates
