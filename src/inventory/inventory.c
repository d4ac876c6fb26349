/* inventory.c - the inventory object. */
#include <stdlib.h>

#include "inventory/inventory.h"
#include "inventory/osdetect.h"

void sw_inventory_free(struct sw_inventory *inv)
{
	if (!inv)
		return;
	free(inv->transport);
	free(inv->reference);
	free(inv->manifest_digest);
	free(inv->config_digest);
	free(inv->architecture);
	free(inv->image_os);
	sw_vec_free_strings(&inv->repo_tags);
	for (size_t i = 0; i < inv->layers.len; i++) {
		struct sw_inv_layer *l = inv->layers.items[i];
		free(l->digest);
		free(l->diff_id);
		free(l->created_by);
		free(l);
	}
	sw_vec_release(&inv->layers);
	sw_os_release(&inv->os);
	sw_vec_free_all(&inv->packages, sw_package_free_v);
	sw_vec_free_strings(&inv->warnings);
	sw_vec_free_strings(&inv->incomplete);
	sw_vec_free_all(&inv->file_findings, sw_file_finding_free_v);
	free(inv);
}
