/* SPDX-License-Identifier: MIT */
/*
 * The objects If predicates read: integer Names, OperationRegions and their
 * field units, remembered in load order as ACPICA creates them, in a hash
 * table of caller scratch (open addressing like the method table in
 * aml_name.c, at most 3/4 full). Anything else named by Name() is kept as
 * OTHER, so that it shadows an outer object of the same name as the
 * search rules of §5.3 say.
 */
#include "aml.h"

static struct aml_obj *obj_slot(const struct aml_scan *s, uint64_t h)
{
    uint32_t i = (uint32_t)((h >> 3) % s->objs_cap);

    while (s->objs[i].hash && s->objs[i].hash != h)
        i = i + 1 == s->objs_cap ? 0 : i + 1;
    return &s->objs[i];
}

struct aml_obj *acpi_aml_obj_add(struct aml *a, const struct aml_name *n, uint8_t kind)
{
    struct aml_scan *s = a->s;
    uint32_t keep;

    if (a->dead || !n->n || !s->objs_cap || !acpi_aml_resolve_keep(a, n, &keep))
        return NULL;
    uint64_t h = acpi_aml_path_hash(a, keep, n);
    struct aml_obj *o = obj_slot(s, h);

    if (!o->hash && (uint64_t)(s->n_objs + 1) * 4 > (uint64_t)s->objs_cap * 3) {
        if (!s->objs_full) {
            s->objs_full = true;
            acpi_note(s->p, ACPI_E_OBJECTS_FULL, a->tname,
                      "%o+%w: scratch holds only %G Names, regions and fields; If predicates naming later "
                      "ones stay undecided", a->pos, s->n_objs, 0);
        }
        return NULL;
    }
    s->n_objs += !o->hash;
    memset(o, 0, sizeof *o);
    o->hash = h;
    o->kind = kind;
    o->seg = n->seg[n->n - 1];
    return o;
}

static struct aml_obj *find_at(const struct aml_scan *s, uint64_t h)
{
    struct aml_obj *o = obj_slot(s, h);

    return o->hash ? o : NULL;
}

struct aml_obj *acpi_aml_obj_find(struct aml *a, const struct aml_name *n, uint32_t *keep)
{
    struct aml_obj *o;

    if (!n->n || !a->s->objs_cap || !acpi_aml_resolve_keep(a, n, keep))
        return NULL;
    if ((o = find_at(a->s, acpi_aml_path_hash(a, *keep, n))))
        return o;
    if (n->n == 1 && !n->root && !n->up)
        while ((*keep)-- > 0)
            if ((o = find_at(a->s, acpi_aml_path_hash(a, *keep, n))))
                return o;
    return NULL;
}

void acpi_aml_obj_written(struct aml *a, const struct aml_name *n)
{
    uint32_t keep;
    struct aml_obj *o;

    if (!a->dead && (o = acpi_aml_obj_find(a, n, &keep)) && o->kind == AML_OBJ_INT)
        o->kind = AML_OBJ_INT_CHANGED;
}
