# Refettorio build. GNU Make + pkg-config; every C file under src/ goes into one static library
# that the binary and the tests link against. Generated sources land in $(B)/gen/.
#
#   make            build $(B)/refettorio
#   make demo       install what is missing, build, create var/demo.sqlite, serve on :8080
#   make check      install what is missing, build, run every test (also once under ASan/UBSan)
#   make asan       build into build-asan/ with AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      measure the server against nginx with wrk
#   make format     rewrite the sources with clang-format

.DEFAULT_GOAL := all
B        ?= build
CC       ?= cc
PKGS     := libmicrohttpd sqlite3 jansson libsodium libcurl libqrencode libdmtx cairo pangocairo
TEST_PKGS := cmocka

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter
HARDEN   := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -fstack-clash-protection \
            -fcf-protection
OPT      ?= -O2 -g
SAN      ?=
CFLAGS   := -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(SAN) -Isrc -I$(B)/gen $(PKG_CFLAGS)
LDFLAGS  := -pie -Wl,-z,relro,-z,now $(SAN)
LDLIBS   := $(PKG_LIBS) -lpthread -lm

# Sources. Fragments in mk/ append to GEN_SRCS and add their own rules.
GEN_SRCS :=
LIB_SRCS := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
include $(sort $(wildcard mk/*.mk))

LIB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS)) \
            $(patsubst $(B)/gen/%.c,$(B)/obj/gen/%.o,$(GEN_SRCS))
LIB      := $(B)/librefettorio.a
BIN      := $(B)/refettorio

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
HTTP_SRCS := $(sort $(wildcard tests/http/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRCS))
HTTP_BINS := $(patsubst tests/http/%.c,$(B)/tests/http/%,$(HTTP_SRCS))
HTTP_HELPERS := $(filter-out $(HTTP_SRCS),$(wildcard tests/http/*.c))

.PHONY: all deps demo check test asan bench format format-check clean tests static
all: $(BIN)

$(B)/obj/%.o: %.c | gen-headers
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(B)/obj/src/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) $(TEST_LIBS)

$(B)/tests/http/%: tests/http/%.c $(HTTP_HELPERS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(HTTP_HELPERS) $(LIB) \
		$(LDLIBS) $(TEST_LIBS)

tests: $(BIN) $(UNIT_BINS) $(HTTP_BINS)

# Generated headers must exist before any object that includes them is compiled.
.PHONY: gen-headers
gen-headers: $(GEN_HEADERS)

deps:
	@scripts/install-deps.sh

demo: deps
	@$(MAKE) --no-print-directory all static
	$(BIN) demo --db var/demo.sqlite --port 8080

check: deps
	@$(MAKE) --no-print-directory all tests static
	@$(MAKE) --no-print-directory B=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" tests static
	@tests/run.sh

asan:
	@$(MAKE) --no-print-directory B=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all tests static

bench: deps
	@$(MAKE) --no-print-directory all static
	@bench/run.sh

FORMAT_FILES = $(shell find src tests tools fuzz bench -name '*.[ch]' 2>/dev/null | sort)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build build-asan

-include $(shell find $(B) -name '*.d' 2>/dev/null)
