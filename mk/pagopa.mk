# pagoPA (issue 6): libFuzzer target over the GPD answer parsers, built straight from the client
# and the few library pieces it uses (as the domain target is), and part of `make fuzz`.
FUZZ_CC       ?= clang
FUZZ_TIME     ?= 30
FUZZ_GPD_BIN  := $(B)/fuzz/fuzz_gpd
FUZZ_GPD_SRCS := fuzz/fuzz_gpd.c src/integrations/pagopa/gpd.c src/util/buf.c src/util/log.c \
                 src/util/text.c src/util/time.c

$(FUZZ_GPD_BIN): $(FUZZ_GPD_SRCS) src/integrations/pagopa/gpd.h $(wildcard src/util/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Isrc \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $(FUZZ_GPD_SRCS) $(shell pkg-config --cflags --libs jansson libcurl) -lpthread

.PHONY: fuzz-gpd
fuzz-gpd: $(FUZZ_GPD_BIN)
	@mkdir -p $(B)/fuzz/corpus-gpd
	$(FUZZ_GPD_BIN) -max_total_time=$(FUZZ_TIME) -max_len=8192 $(B)/fuzz/corpus-gpd fuzz/corpus/gpd

fuzz: fuzz-gpd
