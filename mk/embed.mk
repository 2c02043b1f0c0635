# Migrations and translation catalogues are compiled into the binary (tools/embed.c).
EMBED := $(B)/tools/embed
MIGRATIONS := $(sort $(wildcard schema/sqlite/*.sql))
PO_FILES := $(sort $(wildcard po/[a-z][a-z].po))
MO_FILES := $(patsubst po/%.po,$(B)/locale/%/refettorio.mo,$(PO_FILES))

$(EMBED): tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O2 -Wall -Wextra -Werror -o $@ $<

$(B)/gen/migrations.c: $(MIGRATIONS) $(EMBED)
	@mkdir -p $(dir $@)
	$(EMBED) -o $@ -n embedded_migrations -s schema/sqlite $(MIGRATIONS)

$(B)/locale/%/refettorio.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

$(B)/gen/catalogs.c: $(MO_FILES) $(EMBED)
	@mkdir -p $(dir $@)
	$(EMBED) -o $@ -n embedded_catalogs -s $(B)/locale $(MO_FILES)

GEN_SRCS += $(B)/gen/migrations.c $(B)/gen/catalogs.c
