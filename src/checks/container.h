/*
 * container.h - running-container checks (CIS Docker Benchmark 1.6.0
 * section 5, issue 20) from one container's `GET /containers/{id}/json`
 * document (Docker Engine API: Config, HostConfig, Mounts, AppArmorProfile,
 * Path/Args), as Docker Bench's checks 5.x read `docker inspect`.
 * docs/host-checks.md lists them.
 *
 * Results go to a shared list: one result per control and container, ids
 * "SW-CTR-5.N", evidence naming the container and the inspect key.
 */
#ifndef SW_CHECKS_CONTAINER_H
#define SW_CHECKS_CONTAINER_H

#include <stddef.h>

#include "checks/checks.h"
#include "util/err.h"

/* The container's identity from its inspect document. */
struct sw_container_ident {
	char *id, *name, *image, *image_id; /* Id, Name, Config.Image, Image */
	int running;                        /* State.Running */
};
void sw_container_ident_release(struct sw_container_ident *c);

/* Check the inspect document (len bytes) into out; *ident filled.  A
 * document that is not an object with Id and HostConfig is SW_E_FORMAT
 * (nothing added).  At most 1 MiB of inspect JSON is read (SW_E_LIMIT). */
int sw_container_checks(const char *json, size_t len, struct sw_container_ident *ident, struct sw_check_list *out,
			struct sw_err *err);

/* An info result for the container carrying its image's vulnerability
 * summary (detail), so that every report format shows it. */
void sw_container_image_summary(struct sw_check_list *out, const struct sw_container_ident *c, const char *summary,
				int failed);

#endif
