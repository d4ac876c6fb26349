/* fuzz_host_config.c - the host checks' parsers (checks/host.h): daemon.json,
 * a systemd unit's ExecStart and its dockerd flags, audit rules.  The first
 * byte picks the parser.  Invariants: every setting has a non-NULL key,
 * value and file and a line within the input's lines; every audit watch a
 * non-empty path and a line within the input; ExecStart's line is within
 * the input and 0 exactly when there is none. */
#include <stdlib.h>
#include <string.h>

#include "checks/host.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	unsigned which = data[0] % 3;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	int lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	struct sw_daemon_config c = SW_DAEMON_CONFIG_INIT;
	if (which == 0) {
		sw_daemon_json_parse("daemon.json", text, len, &c);
	} else if (which == 1) {
		char *exec = NULL;
		int line = 0;
		sw_unit_exec_start(text, len, &exec, &line);
		if ((exec == NULL) != (line == 0) || line < 0 || line > lines)
			abort();
		if (exec)
			sw_exec_start_flags("docker.service", line, exec, &c);
		free(exec);
	} else {
		struct sw_vec w = SW_VEC_INIT;
		sw_audit_rules_parse("audit.rules", text, len, &w);
		for (size_t i = 0; i < w.len; i++) {
			const struct sw_audit_watch *a = w.items[i];
			if (!a->path || !*a->path || a->line < 1 || a->line > lines)
				abort();
		}
		sw_vec_free_all(&w, sw_audit_watch_free);
	}
	for (size_t i = 0; i < c.settings.len; i++) {
		const struct sw_daemon_setting *s = c.settings.items[i];
		if (!s->key || !s->value || !s->file || s->line < 0 || s->line > lines)
			abort();
		if (sw_daemon_config_get(&c, s->key) == NULL)
			abort();
	}
	sw_daemon_config_release(&c);
	return 0;
}
