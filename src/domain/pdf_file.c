/* File kinds by content: PDF header, objects and end marker; PDF/A claims; PNG IHDR (see
   pdf_file.h). */
#include "domain/pdf_file.h"

#include <stdint.h>
#include <string.h>

/* Runs of digits and white space looked at before "obj": object numbers have at most 10 digits,
   and a bound keeps the scan linear whatever the input. */
#define PDF_OBJ_MAX_DIGITS 10
#define PDF_OBJ_MAX_SPACE  16
/* How far the element form may run from the property name to its value's end. */
#define PDF_XMP_WINDOW 64

/* ISO 32000-1 7.2.2: white-space characters. */
static bool pdf_is_space(unsigned char c)
{
    return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static bool pdf_is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Start of the first occurrence of needle in d[from, len), or len. */
static size_t pdf_find(const unsigned char *d, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    if (from >= len || len - from < n)
        return len;
    const unsigned char *p = memmem(d + from, len - from, needle, n);
    return p ? (size_t)(p - d) : len;
}

/* "<num> <gen> obj" ending at the "obj" found at i: going back, white space, the generation,
   white space, the object number, each run non-empty and bounded. */
static bool pdf_is_object_header(const unsigned char *d, size_t len, size_t i)
{
    if (i + 3 < len && !pdf_is_space(d[i + 3]) && !strchr("<[(/%", d[i + 3]))
        return false;
    static const struct {
        bool (*cls)(unsigned char);
        size_t max;
    } runs[] = {{pdf_is_space, PDF_OBJ_MAX_SPACE},
                {pdf_is_digit, PDF_OBJ_MAX_DIGITS},
                {pdf_is_space, PDF_OBJ_MAX_SPACE},
                {pdf_is_digit, PDF_OBJ_MAX_DIGITS}};
    size_t at = i;
    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        size_t n = 0;
        while (n < at && n <= runs[r].max && runs[r].cls(d[at - 1 - n]))
            n++;
        if (n == 0 || n > runs[r].max)
            return false;
        at -= n;
    }
    /* The object number is a whole token: "1.4\n1 obj" (the header's version) is not one. */
    return at == 0 || pdf_is_space(d[at - 1]) || strchr("()<>[]{}/%", d[at - 1]) != NULL;
}

bool pdf_file_is_pdf(const void *data, size_t len)
{
    const unsigned char *d = data;
    if (!d || len < 8 || memcmp(d, "%PDF-", 5) != 0)
        return false;
    bool v1 = d[5] == '1' && d[6] == '.' && pdf_is_digit(d[7]);
    bool v2 = d[5] == '2' && d[6] == '.' && d[7] == '0';
    if (!(v1 || v2) || (len > 8 && pdf_is_digit(d[8])))
        return false;
    size_t tail = len > PDF_FILE_TAIL_BYTES ? len - PDF_FILE_TAIL_BYTES : 8;
    if (pdf_find(d, len, tail < 8 ? 8 : tail, "%%EOF") == len)
        return false;
    for (size_t i = pdf_find(d, len, 8, "obj"); i < len; i = pdf_find(d, len, i + 3, "obj"))
        if (pdf_is_object_header(d, len, i))
            return true;
    return false;
}

static bool pdf_xml_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The value of the first well-formed occurrence of the XMP property prop (attribute or element
   form) that valid() accepts, as one character; 0 when none. */
static char pdf_xmp_property(const unsigned char *d, size_t len, const char *prop,
                             bool (*valid)(unsigned char))
{
    size_t plen = strlen(prop);
    for (size_t i = pdf_find(d, len, 0, prop); i < len; i = pdf_find(d, len, i + plen, prop)) {
        size_t q = i + plen;
        if (i == 0 || q >= len)
            continue;
        size_t end = q + PDF_XMP_WINDOW < len ? q + PDF_XMP_WINDOW : len;
        if (d[i - 1] == '<') {
            /* <pdfaid:part>2</pdfaid:part>, white space allowed around the value. */
            if (d[q] != '>')
                continue;
            q++;
            while (q < end && pdf_xml_space(d[q]))
                q++;
            if (q >= end || !valid(d[q]))
                continue;
            char v = (char)d[q++];
            while (q < end && pdf_xml_space(d[q]))
                q++;
            if (q + 1 < end && d[q] == '<' && d[q + 1] == '/')
                return v;
        } else if (pdf_xml_space(d[i - 1])) {
            /* pdfaid:part="2" or pdfaid:part = '2' */
            while (q < end && pdf_xml_space(d[q]))
                q++;
            if (q >= end || d[q] != '=')
                continue;
            q++;
            while (q < end && pdf_xml_space(d[q]))
                q++;
            if (q + 2 >= end || (d[q] != '"' && d[q] != '\''))
                continue;
            if (valid(d[q + 1]) && d[q + 2] == d[q])
                return (char)d[q + 1];
        }
    }
    return 0;
}

static bool pdf_valid_part(unsigned char c)
{
    return c >= '1' && c <= '4';
}

static bool pdf_valid_conformance(unsigned char c)
{
    return c && strchr("ABUEFabuef", c) != NULL;
}

bool pdf_file_pdfa_claim(const void *data, size_t len, char out[8])
{
    out[0] = '\0';
    if (!data)
        return false;
    char part = pdf_xmp_property(data, len, "pdfaid:part", pdf_valid_part);
    if (!part)
        return false;
    char conf = pdf_xmp_property(data, len, "pdfaid:conformance", pdf_valid_conformance);
    out[0] = part;
    out[1] = conf >= 'a' ? (char)(conf - 'a' + 'A') : conf;
    out[2] = '\0';
    return true;
}

static uint32_t png_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* CRC-32 as PNG computes it (ISO 3309, reflected, polynomial 0xEDB88320). */
static uint32_t png_crc(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

bool png_file_is_png(const void *data, size_t len, unsigned *w, unsigned *h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const unsigned char *d = data;
    /* signature, then length (4), "IHDR" (4), 13 bytes of data, CRC (4) */
    if (!d || len < 8 + 4 + 4 + 13 + 4 || memcmp(d, sig, 8) != 0)
        return false;
    if (png_be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
        return false;
    if (png_crc(d + 12, 4 + 13) != png_be32(d + 29))
        return false;
    const unsigned char *ih = d + 16;
    uint32_t width = png_be32(ih), height = png_be32(ih + 4);
    unsigned depth = ih[8], colour = ih[9];
    if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu)
        return false;
    bool depth_ok;
    switch (colour) {
    case 0: /* grey */
        depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
        break;
    case 3: /* palette */
        depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8;
        break;
    case 2: /* RGB */
    case 4: /* grey and alpha */
    case 6: /* RGBA */
        depth_ok = depth == 8 || depth == 16;
        break;
    default:
        depth_ok = false;
    }
    if (!depth_ok || ih[10] != 0 || ih[11] != 0 || ih[12] > 1)
        return false;
    if (w)
        *w = width;
    if (h)
        *h = height;
    return true;
}
