/*
 * invblob.c - an inventory as the store keeps it (store.h
 * sw_st_inventory_encode): the image facts the image cache leaves out
 * (transport, reference, digests, platform, tags, layers), then the
 * image-cache encoding itself (inventory/image_cache.h), so a stored
 * inventory re-matches and reports without the image.
 *
 *   "SWSI" u32 format  str key
 *   str transport, reference, manifest_digest, config_digest, architecture, image_os
 *   strvec repo_tags
 *   u32 nlayers { u32 index; str digest, diff_id, created_by; u32 size_lo, size_hi }
 *   u32 length + image cache entry (image_cache.c)
 *   u32 crc32
 */
#include <stdlib.h>
#include <string.h>

#include "inventory/cache.h"
#include "inventory/image_cache.h"
#include "store/store.h"
#include "util/mem.h"

#define SI_MAGIC "SWSI"
#define SI_FORMAT 1u
#define SI_WHAT "stored inventory"

int sw_st_inventory_encode(const struct sw_inventory *inv, const char *key, struct sw_buf *out, struct sw_err *err)
{
	size_t start = sw_cache_put_begin(out, SI_MAGIC, SI_FORMAT, key);
	sw_cache_put_str(out, inv->transport);
	sw_cache_put_str(out, inv->reference);
	sw_cache_put_str(out, inv->manifest_digest);
	sw_cache_put_str(out, inv->config_digest);
	sw_cache_put_str(out, inv->architecture);
	sw_cache_put_str(out, inv->image_os);
	sw_cache_put_strvec(out, &inv->repo_tags);
	sw_cache_put_u32(out, (uint32_t)inv->layers.len);
	for (size_t i = 0; i < inv->layers.len; i++) {
		const struct sw_inv_layer *l = inv->layers.items[i];
		sw_cache_put_u32(out, (uint32_t)l->index);
		sw_cache_put_str(out, l->digest);
		sw_cache_put_str(out, l->diff_id);
		sw_cache_put_str(out, l->created_by);
		sw_cache_put_u32(out, (uint32_t)(l->size & 0xffffffffu));
		sw_cache_put_u32(out, (uint32_t)(l->size >> 32));
	}
	struct sw_buf ic = SW_BUF_INIT;
	if (sw_image_cache_encode(inv, key ? key : "", &ic, err) < 0) {
		sw_buf_release(&ic);
		return -SW_E_NOMEM;
	}
	sw_cache_put_u32(out, (uint32_t)ic.len);
	sw_buf_add(out, ic.data, ic.len);
	sw_buf_release(&ic);
	return sw_cache_put_end(out, start, SI_WHAT, err);
}

int sw_st_inventory_decode(const uint8_t *data, size_t len, struct sw_inventory **out, struct sw_err *err)
{
	struct sw_cache_rd r;
	if (sw_cache_rd_begin(&r, data, len, SI_MAGIC, SI_FORMAT, NULL, SI_WHAT, err) < 0)
		return -SW_E_FORMAT;
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	inv->transport = sw_cache_get_str(&r);
	inv->reference = sw_cache_get_str(&r);
	inv->manifest_digest = sw_cache_get_str(&r);
	inv->config_digest = sw_cache_get_str(&r);
	inv->architecture = sw_cache_get_str(&r);
	inv->image_os = sw_cache_get_str(&r);
	sw_cache_get_strvec(&r, &inv->repo_tags);
	size_t n = sw_cache_get_count(&r, 4 * 6);
	for (size_t i = 0; i < n && !r.bad; i++) {
		struct sw_inv_layer *l = sw_xcalloc(1, sizeof(*l));
		l->index = (int)sw_cache_get_u32(&r);
		l->digest = sw_cache_get_str(&r);
		l->diff_id = sw_cache_get_str(&r);
		l->created_by = sw_cache_get_str(&r);
		uint64_t lo = sw_cache_get_u32(&r), hi = sw_cache_get_u32(&r);
		l->size = lo | hi << 32;
		sw_vec_push(&inv->layers, l);
	}
	uint32_t icl = sw_cache_get_u32(&r);
	const uint8_t *ic = r.p;
	if (!r.bad && icl > r.left)
		sw_cache_rd_fail(&r, "image cache entry beyond the end");
	if (!r.bad) {
		r.p += icl;
		r.left -= icl;
	}
	int rc = sw_cache_rd_end(&r, SI_WHAT, err);
	if (rc == 0)
		rc = sw_image_cache_decode(ic, icl, NULL, inv, err);
	if (rc < 0) {
		sw_inventory_free(inv);
		return -SW_E_FORMAT;
	}
	*out = inv;
	return 0;
}
