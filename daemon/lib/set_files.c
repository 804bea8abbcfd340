// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "set_files.h"

bool set_files_fills(const struct set_files *sf, enum list_kind kind, const char *name)
{
	size_t i;

	for (i = 0; i < sf->n; i++)
		if (!strcmp(sf->v[i].name, name) && (sf->v[i].err || sf->v[i].d.kind == kind))
			return true;
	return false;
}

void set_files_drop_entries(struct set_files *sf)
{
	size_t i;

	for (i = 0; i < sf->n; i++)
		xdpfwd_prefix_set_free(&sf->v[i].entries);
	for (i = 0; i < sf->n_persisted; i++)
		xdpfwd_prefix_set_free(&sf->persisted[i].entries);
	free(sf->persisted);
	sf->persisted = NULL;
	sf->n_persisted = 0;
}

void set_files_free(struct set_files *sf)
{
	size_t i;

	for (i = 0; i < sf->n; i++)
		xdpfwd_prefix_set_free(&sf->v[i].entries);
	for (i = 0; i < sf->n_persisted; i++)
		xdpfwd_prefix_set_free(&sf->persisted[i].entries);
	free(sf->v);
	free(sf->persisted);
	memset(sf, 0, sizeof(*sf));
}

void set_files_count(const struct set_files *sf, bool fresh_maps, size_t add[CAP_MAPS])
{
	size_t i;

	for (i = 0; i < sf->n; i++)
		if (!sf->v[i].err && !sf->v[i].unchanged && sf->v[i].d.kind == LIST_BLOCK)
			capacity_count(&sf->v[i].entries, add);
	for (i = 0; fresh_maps && i < sf->n_persisted; i++)
		if (sf->persisted[i].d.kind == LIST_BLOCK)
			capacity_count(&sf->persisted[i].entries, add);
}
