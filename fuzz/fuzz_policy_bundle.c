/* fuzz_policy_bundle.c - the policy bundle reader (JSON and YAML, strict
 * validation, regexes compiled) and, for a bundle that loads, its
 * evaluation on a small fixed input (mappings, allowlists, every gate). */
#include <string.h>

#include "fuzz.h"
#include "policy/policy.h"
#include "util/mem.h"

static const char config[] =
	"{\"architecture\":\"amd64\",\"created\":\"2024-01-01T00:00:00Z\",\"config\":{\"User\":\"\","
	"\"ExposedPorts\":{\"22/tcp\":{}}},\"history\":[{\"created_by\":\"RUN /bin/sh -c apt-get update # buildkit\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (256u << 10))
		return 0;
	struct sw_policy_bundle *b = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_policy_bundle_load("fuzz", (const char *)data, size, &b, &err) < 0)
		return 0;
	struct sw_policy_bundle_stats st;
	sw_policy_bundle_stats(b, &st);

	struct sw_inventory inv;
	memset(&inv, 0, sizeof(inv));
	struct sw_package *p = sw_package_new("deb");
	p->name = sw_xstrdup("openssl");
	p->version = sw_xstrdup("3.0.11-1");
	p->path = sw_xstrdup("var/lib/dpkg/status");
	sw_vec_push_strdup(&p->licenses, "OpenSSL");
	sw_vec_push(&inv.packages, p);
	sw_vec_push_strdup(&inv.repo_tags, "app:1.0");
	struct sw_match_result m;
	memset(&m, 0, sizeof(m));
	struct sw_finding *f = sw_xcalloc(1, sizeof(*f));
	f->id = sw_xstrdup("CVE-2024-1001");
	sw_vec_push_strdup(&f->ids, f->id);
	f->severity = SW_SEV_HIGH;
	f->cvss_score = 7.5;
	f->cvss_vector = sw_xstrdup("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H");
	f->published = sw_xstrdup("2024-01-01T00:00:00Z");
	f->epss = 0.5;
	f->epss_percentile = 0.9;
	f->kev = true;
	sw_vec_push(&m.findings, f);
	struct sw_check_list cl = SW_CHECK_LIST_INIT;
	struct sw_policy_input in = { .inv = &inv, .match = &m, .vuln_ran = true, .db_built_at = 1700000000,
				      .checks = &cl, .checks_ran = true, .config_json = config,
				      .config_len = sizeof(config) - 1, .now = 1735689600 };
	struct sw_policy_result *r = NULL;
	if (sw_policy_eval(b, &in, &r, &err) == 0)
		sw_policy_result_free(r);
	sw_finding_free(f);
	sw_vec_release(&m.findings);
	sw_package_free(p);
	sw_vec_release(&inv.packages);
	sw_vec_free_strings(&inv.repo_tags);
	sw_policy_bundle_free(b);
	return 0;
}
