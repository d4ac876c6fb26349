/*
 * secretmask.h - secret-looking names and masking their values.
 *
 * A name is secret-looking when, upper-cased with '-' and '.' read as '_',
 * it contains PASSWORD, PASSWD, SECRET, TOKEN, API_KEY, APIKEY,
 * PRIVATE_KEY, ACCESS_KEY, CREDENTIAL or AUTH_KEY, and does not end in
 * _FILE or _PATH (those name where a secret is, not the secret).
 *
 * sw_mask_secrets() copies a line (an Env entry, a history created_by)
 * with the value of every NAME=VALUE whose NAME is secret-looking replaced
 * by SW_SECRET_MASK.  image/ masks history lines with it before anything
 * else sees them, so no report can print such a value.
 */
#ifndef SW_UTIL_SECRETMASK_H
#define SW_UTIL_SECRETMASK_H

#include <stdbool.h>
#include <stddef.h>

#define SW_SECRET_MASK "****"

bool sw_secret_name(const char *name, size_t len);
/* malloc'd copy of s with secret values masked; NULL in, NULL out. */
char *sw_mask_secrets(const char *s);

#endif
