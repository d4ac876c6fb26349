/* fuzz_policy_report.c - a stored scan report read back for `policy eval
 * --report` (policy/report_read.c), then evaluated with the built-in
 * bundle and one that uses every evaluable gate. */
#include <string.h>

#include "fuzz.h"
#include "policy/policy.h"

static const char bundle[] =
	"{\"id\":\"b\",\"policies\":[{\"id\":\"p\",\"rules\":["
	"{\"id\":\"1\",\"gate\":\"vulnerabilities\",\"trigger\":\"package\",\"action\":\"STOP\",\"params\":[{\"name\":\"package_type\",\"value\":\"all\"},{\"name\":\"cvss_v3_impact_score\",\"value\":\"1\"},{\"name\":\"max_days_since_creation\",\"value\":\"1\"},{\"name\":\"package_path_exclude\",\"value\":\"x.*\"}]},"
	"{\"id\":\"2\",\"gate\":\"dockerfile\",\"trigger\":\"instruction\",\"action\":\"WARN\",\"params\":[{\"name\":\"instruction\",\"value\":\"RUN\"},{\"name\":\"check\",\"value\":\"like\"},{\"name\":\"value\",\"value\":\"(a|b)*c\"}]},"
	"{\"id\":\"3\",\"gate\":\"metadata\",\"trigger\":\"attribute\",\"action\":\"WARN\",\"params\":[{\"name\":\"attribute\",\"value\":\"created\"},{\"name\":\"check\",\"value\":\">\"},{\"name\":\"value\",\"value\":\"2020-01-01\"}]},"
	"{\"id\":\"4\",\"gate\":\"licenses\",\"trigger\":\"denylist_partial_match\",\"action\":\"WARN\",\"params\":[{\"name\":\"licenses\",\"value\":\"GPL\"}]},"
	"{\"id\":\"5\",\"gate\":\"packages\",\"trigger\":\"required_package\",\"action\":\"WARN\",\"params\":[{\"name\":\"name\",\"value\":\"x\"},{\"name\":\"version\",\"value\":\"1\"},{\"name\":\"version_match_type\",\"value\":\"minimum\"}]},"
	"{\"id\":\"6\",\"gate\":\"image_checks\",\"trigger\":\"failed\",\"action\":\"WARN\",\"params\":[]},"
	"{\"id\":\"7\",\"gate\":\"vulnerabilities\",\"trigger\":\"epss\",\"action\":\"WARN\",\"params\":[{\"name\":\"score\",\"value\":\"0.1\"}]}]}],"
	"\"mappings\":[{\"id\":\"m\",\"registry\":\"*\",\"repository\":\"*\",\"image\":{\"type\":\"tag\",\"value\":\"*\"},\"policy_id\":\"p\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	struct sw_policy_report *rep = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_policy_report_parse("fuzz", (const char *)data, size, &rep, &err) < 0)
		return 0;
	struct sw_policy_input in;
	sw_policy_report_input(rep, &in);
	in.now = 1735689600;
	const char *texts[2] = { sw_policy_default_bundle(), bundle };
	for (int i = 0; i < 2; i++) {
		struct sw_policy_bundle *b = NULL;
		if (sw_policy_bundle_load("b", texts[i], strlen(texts[i]), &b, &err) < 0)
			__builtin_trap();
		struct sw_policy_result *r = NULL;
		if (sw_policy_eval(b, &in, &r, &err) == 0)
			sw_policy_result_free(r);
		sw_policy_bundle_free(b);
	}
	sw_policy_report_free(rep);
	return 0;
}
