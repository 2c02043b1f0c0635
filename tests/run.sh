#!/usr/bin/env bash
# Run every test suite once in the normal build and once under AddressSanitizer +
# UndefinedBehaviorSanitizer, count TAP results, and end with "N passed, N failed".
# Suites: formatting, unit (cmocka), HTTP (cmocka + libcurl against the real server),
# translations, browser (playwright + axe + html-validate).
set -u
cd "$(dirname "$0")/.."

LOGS=build/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
passed=0
failed=0
failures=()

# run_suite NAME COMMAND...: runs the command, counts top-level TAP "ok"/"not ok" lines; a
# command that fails without reporting a failing test counts as one failure.
run_suite() {
    local name=$1
    shift
    local log="$LOGS/$(echo "$name" | tr ' /' '__').log"
    "$@" >"$log" 2>&1
    local rc=$?
    local ok nok
    ok=$(grep -c -E '^ok [0-9]+' "$log")
    nok=$(grep -c -E '^not ok [0-9]+' "$log")
    if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
        nok=1
    fi
    if [ "$ok" -eq 0 ] && [ "$nok" -eq 0 ]; then
        nok=1 # a suite that ran nothing is a failure
    fi
    passed=$((passed + ok))
    failed=$((failed + nok))
    printf '%-44s %4d passed, %d failed\n' "$name" "$ok" "$nok"
    if [ "$nok" -gt 0 ]; then
        failures+=("$log")
    fi
}

# A single check reported as one TAP line.
tap_check() {
    local desc=$1
    shift
    if "$@"; then echo "ok 1 - $desc"; else echo "not ok 1 - $desc"; return 1; fi
}

format_check() {
    make --no-print-directory format-check
}

po_check() {
    # Every msgid in the code and templates has an Italian translation, none fuzzy.
    local pot=build/gen/refettorio.pot
    xgettext --from-code=UTF-8 --language=C --keyword=tr:2 --keyword=N_ --no-location \
        --omit-header -o "$pot" $(find src -name '*.c' | sort) build/gen/templates.c &&
        msgcmp --use-untranslated po/it.po "$pot" &&
        ! msgattrib --only-fuzzy po/it.po | grep -q msgid &&
        [ -z "$(msgattrib --untranslated --no-obsolete po/it.po | grep -v '^#' | grep msgid | grep -v 'msgid ""')" ]
}

export CMOCKA_MESSAGE_OUTPUT=TAP

for build in build build-asan; do
    label=""
    [ "$build" = build-asan ] && label=" (asan)"
    export REFETTORIO_BIN="$build/refettorio"
    export REFETTORIO_STATIC="$build/static"
    for t in "$build"/tests/unit/test_*; do
        [ -x "$t" ] && run_suite "unit/$(basename "$t")$label" "$t"
    done
    for t in "$build"/tests/http/test_*; do
        [ -x "$t" ] && run_suite "http/$(basename "$t")$label" "$t"
    done
done

export REFETTORIO_BIN=build/refettorio REFETTORIO_STATIC=build/static
run_suite "format (clang-format)" tap_check "sources are formatted" format_check
run_suite "translations (po/it.po complete)" tap_check "it.po covers every msgid" po_check
run_suite "fuzz (5 s per target)" tap_check "fuzz targets run clean" \
    make --no-print-directory fuzz FUZZ_TIME=5
run_suite "browser (e2e)" node --test --test-reporter=tap --test-concurrency=1 --test-timeout=300000 tests/e2e/
REFETTORIO_BIN=build-asan/refettorio REFETTORIO_STATIC=build-asan/static \
    run_suite "browser (e2e) (asan)" node --test --test-reporter=tap --test-concurrency=1 --test-timeout=300000 tests/e2e/

if [ ${#failures[@]} -gt 0 ]; then
    echo
    for log in "${failures[@]}"; do
        echo "---- $log (failures) ----"
        grep -E -B2 -A12 '^not ok|ERROR|Sanitizer|runtime error' "$log" | head -80
        echo
    done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
