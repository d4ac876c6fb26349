/*
 * image_cache.c - merged inventories on disk (see image_cache.h).
 *
 * Entry body (frame, str, strvec and package encoding in cache.h):
 *
 *   "SWIC" u32 format  str key
 *   str os id, version_id, codename, pretty_name, id_like, source;
 *   u32 distroless (0 or 1)
 *   u32 npkgs { package }        files always empty
 *   strvec warnings
 *   strvec incomplete            (format 2)
 *   findings                     (format 3: filescan_pass.h sw_fs_put_findings)
 *   u32 crc32 of everything before it
 */
#include "inventory/image_cache.h"

#include <stdlib.h>
#include <string.h>

#include "inventory/cache.h"
#include "inventory/filescan_pass.h"
#include "inventory/layer_cache.h"
#include "inventory/osdetect.h"
#include "util/mem.h"

#define IC_MAGIC "SWIC"
#define IC_FORMAT 3u  /* 3: content scanners' findings */
/* Bump when the merge or what follows it (build.c finish(), osdetect.c,
 * purl.c) changes the inventory built from the same layer results. */
#define IC_MERGE_VERSION 3u  /* 3: history lines with secret values masked */
#define IC_WHAT "image cache file"
#define IC_MAX_FILE (256u * 1024u * 1024u)

char *sw_image_cache_key(const struct sw_image_info *info)
{
	return sw_image_cache_key_for(info, NULL, 0);
}

char *sw_image_cache_key_for(const struct sw_image_info *info, const struct sw_file_scanner *const *sc,
			     size_t nsc)
{
	if (!info->config_digest || !*info->config_digest)
		return NULL;
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "stowaway image cache %u merge %u\nconfig %s\nlayers %zu\n", IC_FORMAT,
		    IC_MERGE_VERSION, info->config_digest, info->layers.len);
	for (size_t i = 0; i < info->layers.len; i++) {
		const struct sw_layer_desc *d = info->layers.items[i];
		char *lk = sw_layer_cache_key_for(d->diff_id, sc, nsc);
		if (!lk) {
			sw_buf_release(&b);
			return NULL;
		}
		sw_buf_addf(&b, "%s\n", lk);
		free(lk);
	}
	char *key = sw_cache_key_of(&b);
	sw_buf_release(&b);
	return key;
}

int sw_image_cache_encode(const struct sw_inventory *inv, const char *key, struct sw_buf *out,
			  struct sw_err *err)
{
	size_t start = sw_cache_put_begin(out, IC_MAGIC, IC_FORMAT, key);
	const struct sw_os *os = &inv->os;
	sw_cache_put_str(out, os->id);
	sw_cache_put_str(out, os->version_id);
	sw_cache_put_str(out, os->codename);
	sw_cache_put_str(out, os->pretty_name);
	sw_cache_put_str(out, os->id_like);
	sw_cache_put_str(out, os->source);
	sw_cache_put_u32(out, os->distroless ? 1 : 0);
	sw_cache_put_u32(out, (uint32_t)inv->packages.len);
	for (size_t i = 0; i < inv->packages.len; i++)
		sw_cache_put_pkg(out, inv->packages.items[i], SW_CACHE_PKG_NO_FILES);
	sw_cache_put_strvec(out, &inv->warnings);
	sw_cache_put_strvec(out, &inv->incomplete);
	sw_fs_put_findings(out, &inv->file_findings);
	return sw_cache_put_end(out, start, "image cache entry", err);
}

int sw_image_cache_decode(const uint8_t *data, size_t len, const char *key,
			  struct sw_inventory *inv, struct sw_err *err)
{
	struct sw_cache_rd r;
	if (sw_cache_rd_begin(&r, data, len, IC_MAGIC, IC_FORMAT, key, IC_WHAT, err) < 0)
		return -SW_E_FORMAT;
	struct sw_os os = { 0 };
	struct sw_vec pkgs = SW_VEC_INIT, warnings = SW_VEC_INIT, incomplete = SW_VEC_INIT,
		      findings = SW_VEC_INIT;
	os.id = sw_cache_get_str(&r);
	os.version_id = sw_cache_get_str(&r);
	os.codename = sw_cache_get_str(&r);
	os.pretty_name = sw_cache_get_str(&r);
	os.id_like = sw_cache_get_str(&r);
	os.source = sw_cache_get_str(&r);
	uint32_t distroless = sw_cache_get_u32(&r);
	if (distroless > 1)
		sw_cache_rd_fail(&r, "bad distroless flag");
	os.distroless = distroless == 1;
	size_t n = sw_cache_get_count(&r, SW_CACHE_MIN_PKG);
	for (size_t i = 0; i < n && !r.bad; i++) {
		struct sw_package *p = sw_cache_get_pkg(&r);
		if (p)
			sw_vec_push(&pkgs, p);
		if (p && p->files.len)
			sw_cache_rd_fail(&r, "a package with files");
	}
	sw_cache_get_strvec(&r, &warnings);
	sw_cache_get_strvec(&r, &incomplete);
	sw_fs_get_findings(&r, &findings);
	if (sw_cache_rd_end(&r, IC_WHAT, err) < 0) {
		sw_vec_free_all(&findings, sw_file_finding_free_v);
		sw_os_release(&os);
		sw_vec_free_all(&pkgs, sw_package_free_v);
		sw_vec_free_strings(&warnings);
		sw_vec_free_strings(&incomplete);
		return -SW_E_FORMAT;
	}
	inv->os = os;
	inv->packages = pkgs;
	inv->warnings = warnings;
	inv->incomplete = incomplete;
	inv->file_findings = findings;
	return 0;
}

int sw_image_cache_load(const char *dir, const char *key, struct sw_inventory *inv,
			struct sw_err *err)
{
	struct sw_cache_blob b;
	int rc = sw_cache_blob_load(dir, key, IC_MAX_FILE, &b, err);
	if (rc == 1 && sw_image_cache_decode(b.data, b.len, key, inv, err) < 0)
		rc = sw_err_wrap(err, "'%s/%s'", dir, key);
	sw_cache_blob_release(&b);
	return rc;
}

int sw_image_cache_store(const char *dir, const char *key, const struct sw_inventory *inv,
			 struct sw_err *err)
{
	struct sw_buf b = SW_BUF_INIT;
	int rc = sw_image_cache_encode(inv, key, &b, err);
	if (rc == 0)
		rc = sw_cache_store_file(dir, key, &b, err);
	sw_buf_release(&b);
	return rc;
}
