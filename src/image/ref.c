/*
 * ref.c - image references: TRANSPORT:PATH[:TAG] or a bare path.
 *
 *   docker-archive:PATH[:NAME:TAG]   NAME:TAG selects one of several images
 *   oci-archive:PATH[:TAG]
 *   oci:DIR[:TAG]
 *   dir:ROOTFS
 *   registry:REF, docker://REF       REF parsed by registry_auth.c
 *   containers-storage:[ROOT]NAME[@DIGEST], podman-container:[ROOT]ID  (cstorage.c)
 *   PATH                              detected by image.c (bid)
 *
 * A path may itself contain ':'; the longest prefix that exists on disk is
 * the path and the rest is the tag.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image/internal.h"
#include "util/mem.h"

void sw_ref_release(struct sw_ref *r)
{
	free(r->transport);
	free(r->path);
	free(r->tag);
	memset(r, 0, sizeof(*r));
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/* Split rest into path and optional tag: the whole if it exists, else the
 * longest prefix before a ':' that exists, else everything as the path. */
static void split_path_tag(const char *rest, struct sw_ref *out)
{
	if (exists(rest)) {
		out->path = sw_xstrdup(rest);
		return;
	}
	for (const char *c = strrchr(rest, ':'); c && c > rest;) {
		char *p = sw_xstrndup(rest, (size_t)(c - rest));
		if (exists(p)) {
			out->path = p;
			out->tag = sw_xstrdup(c + 1);
			return;
		}
		free(p);
		const char *prev = c - 1;
		while (prev >= rest && *prev != ':')
			prev--;
		c = prev >= rest ? prev : NULL;
	}
	out->path = sw_xstrdup(rest);
}

int sw_ref_parse(const char *ref, struct sw_ref *out, struct sw_err *err)
{
	static const char *const names[] = { "docker-archive", "oci-archive", "oci", "dir" };
	memset(out, 0, sizeof(*out));
	if (!ref || !*ref)
		return sw_err_set(err, SW_E_USAGE, "empty image reference");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		if (strncmp(ref, names[i], n) != 0 || ref[n] != ':')
			continue;
		const char *rest = ref + n + 1;
		if (!*rest)
			return sw_err_set(err, SW_E_USAGE, "'%s': no path after '%s:'", ref, names[i]);
		out->transport = sw_xstrdup(names[i]);
		if (strcmp(names[i], "dir") == 0)
			out->path = sw_xstrdup(rest);
		else
			split_path_tag(rest, out);
		if (out->tag && !*out->tag) {
			sw_ref_release(out);
			return sw_err_set(err, SW_E_USAGE, "'%s': empty tag", ref);
		}
		return 0;
	}
	if (strncmp(ref, "registry:", 9) == 0 || strncmp(ref, "docker://", 9) == 0) {
		const char *rest = ref + 9;
		if (!*rest)
			return sw_err_set(err, SW_E_USAGE, "'%s': no reference after '%.9s'", ref, ref);
		out->transport = sw_xstrdup("registry");
		out->path = sw_xstrdup(rest);
		return 0;
	}
	static const char *const engines[] = { "containers-storage", "podman-container" };
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++) {
		size_t n = strlen(engines[i]);
		if (strncmp(ref, engines[i], n) != 0 || ref[n] != ':')
			continue;
		if (!ref[n + 1])
			return sw_err_set(err, SW_E_USAGE, "'%s': no %s after '%s:'", ref,
					  i ? "container" : "image", engines[i]);
		out->transport = sw_xstrdup(engines[i]);
		out->path = sw_xstrdup(ref + n + 1);
		return 0;
	}
	out->path = sw_xstrdup(ref);
	return 0;
}
