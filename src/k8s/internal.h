/*
 * internal.h - pieces shared by the files of k8s/ (not a public API).
 *
 *   kubeconfig.c  the kubeconfig file
 *   api.c         GET requests to the API server (libcurl), paged lists
 *   pod.c         a pod: containers, image digests, owner; Pod Security Standards
 *   cluster.c     sw_k8s_run: namespaces, pods, owners, pull secrets, image scans
 *   report.c      table, JSON, SARIF, JUnit
 */
#ifndef SW_K8S_INTERNAL_H
#define SW_K8S_INTERNAL_H

#include <jansson.h>

#include "k8s/k8s.h"

/* base64 (line breaks allowed) into out; -1 when it is not base64. */
int sw_k8s_b64_decode(const char *s, struct sw_buf *out);

struct sw_k8s_api;
int sw_k8s_api_new(const struct sw_kubeconfig *kc, struct sw_k8s_api **out, struct sw_err *err);
void sw_k8s_api_free(struct sw_k8s_api *a);
/* GET path (starting with '/'): the JSON object in *out, *status the HTTP
 * status.  A status other than 200 is an error whose message has the
 * API's Status message; *status tells 403/404 apart. */
int sw_k8s_get(struct sw_k8s_api *a, const char *path, json_t **out, long *status, struct sw_err *err);
/* Every item of a list (path without query), limit per page, following
 * metadata.continue; fn(ctx, item) per item (borrowed). */
int sw_k8s_list(struct sw_k8s_api *a, const char *path, unsigned limit, void (*fn)(void *ctx, json_t *item),
		void *ctx, long *status, struct sw_err *err);

/* pod.c: a pod's checks and containers from its JSON object */
int sw_k8s_pod_read(json_t *pod, struct sw_k8s_workload *w, struct sw_err *err);

#endif
