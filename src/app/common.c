/* Data shared by handlers of several audiences. */
#include "app/handlers.h"
#include "web/i18n.h"

void app_schools_data(struct req *r, struct tv *data, const struct school_summary *schools,
                      size_t n)
{
    struct tv *list = tv_set_list(data, "schools");
    for (size_t i = 0; i < n; i++) {
        struct tv *s = tv_push_dict(list);
        tv_set_str(s, "name", schools[i].name);
        tv_set_str(s, "kind_label", tr(r->lang, school_kind_label(schools[i].kind)));
        tv_set_str(s, "address", schools[i].address);
        tv_set_int(s, "classes_count", schools[i].classes);
    }
}
