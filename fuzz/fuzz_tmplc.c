/*
 * libFuzzer target over the template compiler: the input is one template. It goes through the
 * tag parser, the HTML context tokenizer, partial resolution and code generation, exactly as
 * tools/tmplc runs them, minus the file I/O. A second, fixed template "p" exists so inputs
 * can include a partial that resolves. Build and run: make fuzz-tmplc.
 */
#define TMPLC_NO_MAIN
#include "../tools/tmplc.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char partial[] = "<b>{{x}}</b>";
    struct gen g;
    gen_init(&g, "fuzz_");
    struct buf c_out, h_out;
    buf_init(&c_out, TMPLC_OUT_MAX);
    buf_init(&h_out, TMPLC_OUT_MAX);
    if (gen_add(&g, "p.html", "p", partial, sizeof(partial) - 1) < 0)
        abort(); /* the fixed partial must always compile */
    if (gen_add(&g, "fuzz.html", "fuzz", (const char *)data, size) == 0 && gen_finish(&g) == 0) {
        gen_header(&g, &h_out);
        gen_source(&g, &c_out, "fuzz.h");
    } else if (g.err[0] == '\0') {
        abort(); /* every failure must say why */
    }
    buf_free(&c_out);
    buf_free(&h_out);
    gen_free(&g);
    return 0;
}
