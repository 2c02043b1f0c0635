#include "web/qr_svg.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include "util/log.h"
#include "web/html.h"

int qr_svg_render(const char *text, const char *title, struct buf *out)
{
    size_t n = strlen(text);
    if (n == 0 || n > QR_SVG_TEXT_MAX)
        return -1;
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        log_error("qr encoding failed", "error", strerror(errno));
        return -1;
    }
    int width = qr->width;
    int side = width + 2 * QR_SVG_QUIET_ZONE;
    buf_printf(out,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
               "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"qr-title\" "
               "shape-rendering=\"crispEdges\">\n<title id=\"qr-title\">",
               QR_SVG_SIZE_PX, QR_SVG_SIZE_PX, side, side);
    html_text(out, title, strlen(title));
    buf_printf(out,
               "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n"
               "<path fill=\"#000000\" d=\"",
               side, side);
    /* One subpath per horizontal run of dark modules (bit 0 of each byte is the module). */
    for (int y = 0; y < width; y++) {
        const unsigned char *row = qr->data + (size_t)y * (size_t)width;
        for (int x = 0; x < width;) {
            if (!(row[x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < width && (row[x + run] & 1))
                run++;
            buf_printf(out, "M%d %dh%dv1h-%dz", x + QR_SVG_QUIET_ZONE, y + QR_SVG_QUIET_ZONE, run,
                       run);
            x += run;
        }
    }
    buf_puts(out, "\"/>\n</svg>\n");
    QRcode_free(qr);
    return out->err == BUF_OK ? width : -1;
}
