# libFuzzer target over the web and configuration parsers, and `make fuzz`, which runs every
# fuzz target for FUZZ_TIME seconds (the domain and template targets live in their own fragments).
FUZZ_CC      ?= clang
FUZZ_TIME    ?= 30
FUZZ_WEB_BIN := $(B)/fuzz/fuzz_web
FUZZ_WEB_SRCS := fuzz/fuzz_web.c src/web/form.c src/web/html.c src/web/i18n.c src/util/arena.c \
                 src/util/buf.c src/util/config.c src/util/log.c

$(FUZZ_WEB_BIN): $(FUZZ_WEB_SRCS) $(B)/gen/catalogs.c $(wildcard src/web/*.h src/util/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -I$(B)/gen \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $(FUZZ_WEB_SRCS) $(B)/gen/catalogs.c

.PHONY: fuzz-web fuzz
fuzz-web: $(FUZZ_WEB_BIN)
	@mkdir -p $(B)/fuzz/corpus-web
	$(FUZZ_WEB_BIN) -max_total_time=$(FUZZ_TIME) -max_len=4096 $(B)/fuzz/corpus-web fuzz/corpus/web

# The multipart/form-data parser and the content checks every uploaded file meets.
FUZZ_MULTIPART_BIN := $(B)/fuzz/fuzz_multipart
FUZZ_MULTIPART_SRCS := fuzz/fuzz_multipart.c src/web/multipart.c src/web/form.c src/web/html.c \
                       src/domain/pdf_file.c src/util/arena.c src/util/buf.c src/util/log.c

$(FUZZ_MULTIPART_BIN): $(FUZZ_MULTIPART_SRCS) $(wildcard src/web/*.h src/util/*.h src/domain/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -I$(B)/gen \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $(FUZZ_MULTIPART_SRCS)

.PHONY: fuzz-multipart
fuzz-multipart: $(FUZZ_MULTIPART_BIN)
	@mkdir -p $(B)/fuzz/corpus-multipart
	$(FUZZ_MULTIPART_BIN) -max_total_time=$(FUZZ_TIME) -max_len=8192 \
		$(B)/fuzz/corpus-multipart fuzz/corpus/multipart

fuzz: fuzz-web fuzz-domain fuzz-tmplc fuzz-multipart
