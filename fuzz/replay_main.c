/* replay_main.c - run a fuzz target over every file of a corpus folder
 * (or the files given), so the normal build checks the corpus. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "util/buf.h"

static int run_file(const char *path)
{
	struct sw_buf b = SW_BUF_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_buf_read_file(&b, path, 64u << 20, &err) < 0) {
		fprintf(stderr, "replay: %s\n", err.msg);
		return 1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
	sw_buf_release(&b);
	return 0;
}

int main(int argc, char **argv)
{
	int n = 0, bad = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: cannot open '%s'\n", argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			bad += run_file(argv[i]);
			n++;
			continue;
		}
		DIR *d = opendir(argv[i]);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			bad += run_file(path);
			n++;
		}
		if (d)
			closedir(d);
	}
	printf("replayed %d inputs\n", n);
	return bad ? 1 : (n ? 0 : 1);
}
