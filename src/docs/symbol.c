/* 2D symbols in documents (see doc_panel in doc.h): the payload is encoded here, in the
   caller's process, with libqrencode or libdmtx, into a square module matrix that doc.c sends to
   the renderer child, which only draws squares. The child never runs the encoders on its input. */
#include <dmtx.h>
#include <qrencode.h>
#include <string.h>

#include "docs/doc_internal.h"

#define SYMBOL_QR_QUIET         4 /* ISO/IEC 18004 */
#define SYMBOL_DATAMATRIX_QUIET 2 /* ISO/IEC 16022 asks for 1; 2 reads better off paper */

static int symbol_qr(struct arena *a, const char *payload, struct doc_symbol_matrix *m)
{
    /* 8-bit mode for the whole payload, as the pagoPA specification asks. */
    QRcode *qr =
        QRcode_encodeData((int)strlen(payload), (const unsigned char *)payload, 0, QR_ECLEVEL_M);
    if (!qr)
        return -1;
    if (qr->width < 1 || qr->width > DOC_SYMBOL_MODULES_MAX) {
        QRcode_free(qr);
        return -1;
    }
    size_t n = (size_t)qr->width * (size_t)qr->width;
    m->size = qr->width;
    m->quiet = SYMBOL_QR_QUIET;
    m->modules = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        m->modules[i] = (qr->data[i] & 1) ? '1' : '0'; /* bit 0 is the module's colour */
    m->modules[n] = '\0';
    QRcode_free(qr);
    return 0;
}

static int symbol_datamatrix(struct arena *a, const char *payload, struct doc_symbol_matrix *m)
{
    DmtxEncode *enc = dmtxEncodeCreate();
    if (!enc)
        return -1;
    int rc = -1;
    dmtxEncodeSetProp(enc, DmtxPropScheme, DmtxSchemeAscii);
    dmtxEncodeSetProp(enc, DmtxPropSizeRequest, DmtxSymbolSquareAuto);
    if (dmtxEncodeDataMatrix(enc, (int)strlen(payload), (unsigned char *)payload) == DmtxPass) {
        int idx = enc->region.sizeIdx;
        int rows = dmtxGetSymbolAttribute(DmtxSymAttribSymbolRows, idx);
        int cols = dmtxGetSymbolAttribute(DmtxSymAttribSymbolCols, idx);
        if (rows == cols && rows >= 1 && rows <= DOC_SYMBOL_MODULES_MAX) {
            size_t n = (size_t)rows * (size_t)cols;
            m->size = rows;
            m->quiet = SYMBOL_DATAMATRIX_QUIET;
            m->modules = arena_alloc(a, n + 1);
            /* libdmtx counts rows from the bottom (the solid edge of the finder pattern). */
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    m->modules[(size_t)(rows - 1 - r) * (size_t)cols + (size_t)c] =
                        (dmtxSymbolModuleStatus(enc->message, idx, r, c) & DmtxModuleOnRGB) ? '1'
                                                                                            : '0';
            m->modules[n] = '\0';
            rc = 0;
        }
    }
    dmtxEncodeDestroy(&enc);
    return rc;
}

int doc_symbol_encode(struct arena *a, enum doc_symbol kind, const char *payload,
                      struct doc_symbol_matrix *m)
{
    size_t len = strnlen(payload, DOC_SYMBOL_TEXT_MAX + 1);
    if (len == 0 || len > DOC_SYMBOL_TEXT_MAX)
        return -1;
    switch (kind) {
    case DOC_SYMBOL_QR:
        return symbol_qr(a, payload, m);
    case DOC_SYMBOL_DATAMATRIX:
        return symbol_datamatrix(a, payload, m);
    case DOC_SYMBOL_NONE:
        break;
    }
    return -1;
}
