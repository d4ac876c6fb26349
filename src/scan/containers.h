/*
 * containers.h - the running containers of a Docker daemon checked (CIS
 * Docker Benchmark 1.6.0 section 5: checks/container.h) with each image's
 * vulnerability summary beside them (issue 20; docs/host-checks.md).
 *
 *   struct sw_containers_result *cr;
 *   sw_containers_run(&opts, &cr, err);   // err only when nothing could be listed
 *   ... cr->checks, cr->rows, cr->failures (partial when non-empty)
 *   sw_containers_result_free(cr);
 *
 * `GET /containers/json` lists the running containers; each is inspected
 * (`GET /containers/{id}/json`); each distinct image (by its ID) is scanned
 * once with sw_scan_run on "docker-daemon:ID".  A container that vanished
 * or that the daemon failed to describe, an image that could not be read:
 * the rest is completed and the cause kept in failures.
 */
#ifndef SW_SCAN_CONTAINERS_H
#define SW_SCAN_CONTAINERS_H

#include <stdbool.h>

#include "checks/checks.h"
#include "scan/scan.h"

struct sw_containers_opts {
	const char *host;                 /* NULL: $DOCKER_HOST or the default socket */
	bool no_images;                   /* skip the image scans */
	const struct sw_scan_opts *scan;  /* template for the image scans (image ignored) */
};

struct sw_container_row {
	char *id, *name, *image, *image_id;
	size_t failed_checks;             /* status fail, this container */
	bool image_scanned;
	size_t vulns[SW_SEV_CRITICAL + 1];/* by severity level */
	bool image_complete;
};

struct sw_containers_result {
	struct sw_check_list checks;      /* every container's results */
	struct sw_vec rows;               /* struct sw_container_row*, in the daemon's order */
	struct sw_vec failures;           /* char*: "container ID: cause", "image X: cause" */
};

int sw_containers_run(const struct sw_containers_opts *o, struct sw_containers_result **out, struct sw_err *err);
void sw_containers_result_free(struct sw_containers_result *r);

#endif
