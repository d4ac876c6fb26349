/*
 * yaml.h - the first YAML document of a file as JSON text (yaml.c), shared
 * with k8s/ (kubeconfig files).  Scalars: null/~ null, true/false
 * booleans, numbers as numbers, the rest strings; aliases and deep nesting
 * refused.  *json is malloc'd (NUL-terminated, *json_len bytes).
 */
#ifndef SW_POLICY_YAML_H
#define SW_POLICY_YAML_H

#include <stddef.h>

#include "util/err.h"

int sw_policy_yaml_to_json(const char *name, const char *data, size_t len, char **json,
			   size_t *json_len, struct sw_err *err);

#endif
