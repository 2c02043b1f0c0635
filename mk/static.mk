# Static assets: builds $(B)/static/, which the server serves at /static/.
#
#   $(B)/static/bootstrap-italia/   the few files of Bootstrap Italia's dist/ that pages use
#   $(B)/static/css|js|img/         our own files from static/
#
# Every output file has its own rule, so `make static` copies only what changed. `install -p`
# keeps the source's modification time: the copy then counts as up to date, and the server's
# ETag/Last-Modified stay stable across rebuilds. Files deleted from static/ are not removed
# from $(B)/static/ (run `make clean`).

STATIC_BI_DIST := node_modules/bootstrap-italia/dist
STATIC_BI_OUT  := $(B)/static/bootstrap-italia

# Only what the templates and static/css/refettorio.css reference. Fonts: woff2 is enough
# for every browser Bootstrap Italia 2 supports; the @font-face rules are in refettorio.css
# (Bootstrap Italia injects them from JavaScript, which a strict CSP and no-JS pages rule out).
STATIC_BI_FONTS := \
	Titillium_Web/titillium-web-v10-latin-ext_latin-300.woff2 \
	Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2 \
	Titillium_Web/titillium-web-v10-latin-ext_latin-italic.woff2 \
	Titillium_Web/titillium-web-v10-latin-ext_latin-600.woff2 \
	Titillium_Web/titillium-web-v10-latin-ext_latin-700.woff2 \
	Titillium_Web/OFL.txt \
	Roboto_Mono/roboto-mono-v13-latin-ext_latin-regular.woff2 \
	Roboto_Mono/roboto-mono-v13-latin-ext_latin-700.woff2 \
	Roboto_Mono/LICENSE.txt \
	Lora/lora-v20-latin-ext_latin-regular.woff2 \
	Lora/lora-v20-latin-ext_latin-700.woff2 \
	Lora/OFL.txt
STATIC_BI_FILES := \
	css/bootstrap-italia.min.css \
	js/bootstrap-italia.bundle.min.js \
	svg/sprites.svg \
	$(addprefix fonts/,$(STATIC_BI_FONTS))

STATIC_OWN_FILES := $(shell find static -type f ! -name '.*' 2>/dev/null | sort)

STATIC_OUT := $(addprefix $(STATIC_BI_OUT)/,$(STATIC_BI_FILES)) \
              $(patsubst static/%,$(B)/static/%,$(STATIC_OWN_FILES))

static: $(STATIC_OUT)

# The more specific pattern wins (GNU make picks the shortest stem).
$(STATIC_BI_OUT)/%: $(STATIC_BI_DIST)/%
	install -p -D -m 0644 $< $@

$(B)/static/%: static/%
	install -p -D -m 0644 $< $@

# A missing Bootstrap Italia file means the npm packages are not installed.
$(STATIC_BI_DIST)/%:
	@echo "missing $@: run 'make deps' (installs the npm packages from package-lock.json)" >&2
	@exit 1
