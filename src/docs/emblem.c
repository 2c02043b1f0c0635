/* A stand-in coat of arms for municipalities without a logo (see doc_emblem_png in doc.h); runs
   in the renderer child. */
#include "docs/doc_internal.h"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <string.h>

#define EMBLEM_W 256
#define EMBLEM_H 300

/* The mural crown of Italian comuni: a silver wall with five towers. */
static void emblem_crown(cairo_t *cr)
{
    const double base_y = 58, wall_h = 16, tower_w = 22, tower_h = 22;
    cairo_rectangle(cr, 40, base_y, 176, wall_h);
    for (int i = 0; i < 5; i++) {
        double x = 44 + i * 38.5;
        cairo_rectangle(cr, x, base_y - tower_h, tower_w, tower_h);
        /* two merlons on each tower */
        cairo_rectangle(cr, x, base_y - tower_h - 7, 7, 7);
        cairo_rectangle(cr, x + tower_w - 7, base_y - tower_h - 7, 7, 7);
    }
    doc_cairo_rgb(cr, 0xc9ccd3);
    cairo_fill_preserve(cr);
    doc_cairo_rgb(cr, 0x5b6170);
    cairo_set_line_width(cr, 2);
    cairo_stroke(cr);
    /* a gate in the middle tower */
    cairo_arc(cr, 128, base_y - 6, 5, G_PI, 2 * G_PI);
    cairo_rectangle(cr, 123, base_y - 6, 10, 6);
    cairo_fill(cr);
}

/* A heater shield: straight top, straight sides, curves to a point. */
static void emblem_shield_path(cairo_t *cr, double inset)
{
    double l = 36 + inset, r = 220 - inset, t = 84 + inset, mid = 128, bottom = 292 - inset * 1.4;
    cairo_new_path(cr);
    cairo_move_to(cr, l, t);
    cairo_line_to(cr, r, t);
    cairo_line_to(cr, r, 190);
    cairo_curve_to(cr, r, 240, mid + 40, 270 - inset, mid, bottom);
    cairo_curve_to(cr, mid - 40, 270 - inset, l, 240, l, 190);
    cairo_close_path(cr);
}

/* The first character of name, upper case, as UTF-8 in out (at least 7 bytes); "" if none. */
static void emblem_initial(const char *name, char out[8])
{
    out[0] = '\0';
    if (!name || !*name || !g_utf8_validate(name, -1, NULL))
        return;
    gunichar c = g_unichar_toupper(g_utf8_get_char(name));
    out[g_unichar_to_utf8(c, out)] = '\0';
}

int doc_emblem_write(const char *name, FILE *out)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, EMBLEM_W, EMBLEM_H);
    cairo_t *cr = cairo_create(s);
    emblem_crown(cr);
    emblem_shield_path(cr, 0);
    doc_cairo_rgb(cr, 0x1f4e8c);
    cairo_fill_preserve(cr);
    doc_cairo_rgb(cr, 0xd4a017);
    cairo_set_line_width(cr, 10);
    cairo_stroke(cr);
    emblem_shield_path(cr, 13);
    cairo_set_line_width(cr, 2);
    cairo_stroke(cr);

    char initial[8];
    emblem_initial(name, initial);
    if (*initial) {
        PangoLayout *l = pango_cairo_create_layout(cr);
        PangoFontDescription *fd = pango_font_description_from_string("DejaVu Serif Bold");
        pango_font_description_set_absolute_size(fd, 120 * PANGO_SCALE);
        pango_layout_set_font_description(l, fd);
        pango_font_description_free(fd);
        pango_layout_set_text(l, initial, -1);
        PangoRectangle ink;
        pango_layout_get_pixel_extents(l, &ink, NULL);
        /* centre the glyph's ink in the shield's upper body */
        cairo_move_to(cr, 128 - ink.x - ink.width / 2.0, 178 - ink.y - ink.height / 2.0);
        doc_cairo_rgb(cr, 0xd4a017);
        pango_cairo_show_layout(cr, l);
        g_object_unref(l);
    }
    cairo_destroy(cr);
    cairo_status_t st = cairo_surface_write_to_png_stream(s, doc_cairo_fwrite, out);
    cairo_surface_destroy(s);
    return st == CAIRO_STATUS_SUCCESS && fflush(out) == 0 ? 0 : -1;
}
