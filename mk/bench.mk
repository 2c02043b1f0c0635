# Benchmark tools (issue 7), built for `make bench` only: bench_cutoff times the cut-off job for a
# large municipality next to the bare SQL it needs, and measures SQLite's single-row commit rate
# (see tools/bench_cutoff.c and bench/run.sh). Linked against the library, as the tests are.
BENCH_CUTOFF_BIN := $(B)/tools/bench_cutoff

# $(LIB) is defined after the fragments are read: name the library here.
$(BENCH_CUTOFF_BIN): tools/bench_cutoff.c $(B)/librefettorio.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/librefettorio.a $(LDLIBS)

.PHONY: bench-tools
bench-tools: $(BENCH_CUTOFF_BIN)
bench: bench-tools
