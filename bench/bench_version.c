/*
 * bench_version.c - comparisons per second per scheme.
 *
 *   bench_version [SECONDS_PER_SCHEME]   (default 0.5)
 *
 * Each scheme compares pairs from a small table of realistic version
 * strings (all pairs, round robin) through sw_version_compare(), the
 * same entry point the matcher and the bulk CLI use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "version/version.h"

static const char *const dpkg_v[] = { "1:2.38.1-5+deb12u1", "2.38.1-5", "1.2.3~rc1-1", "1.2.3-1ubuntu0.22.04.1",
				      "3.0.11-1~deb12u2", "0.9.8", "2:1.0-1", "2.36-9+deb12u4" };
static const char *const rpm_v[] = { "1:2.38.1-5.el9", "2.38.1-5.el9_2", "1.2.3~rc1-1.fc38", "0:5.1.8-6.el9_1",
				     "3.0.7-24.el9", "1.0^git20230101-1", "2.34-60.el9", "1:1.1.1k-7.el8_6" };
static const char *const apk_v[] = { "1.36.1-r2", "3.1.4-r5", "1.2.3_rc1-r0", "2.12.6-r0", "1.2.13-r1",
				     "8.4.0-r0", "0.1_pre2~1234abcd-r3", "3.18.4-r0" };
static const char *const pep_v[] = { "1.26.18", "2.0.0rc1", "1!2.0.post1", "3.2.1.dev4+local.7", "1.0a1",
				     "23.1.2", "0.10.0.post3", "2024.8.30" };
static const char *const sem_v[] = { "1.2.3", "1.2.3-alpha.1", "4.17.21", "0.0.0-20210101000000-abcdef",
				     "2.0.0-rc.1+build.5", "10.4.1", "1.0.0-beta.11", "3.0.0" };
static const char *const go_v[] = { "v1.2.3", "v0.0.0-20210101000000-abcdefabcdef", "v2.1.0+incompatible",
				    "1.20.4", "v0.17.0", "v1.2.4-0.20230101000000-123456789abc", "v1.0.0", "0.3.7" };
static const char *const mvn_v[] = { "2.17.1", "2.0-beta9", "1.0-SNAPSHOT", "31.1-jre", "2.13.4.2",
				     "5.3.27.RELEASE", "1.0.0-rc1", "2.15.0" };
static const char *const gem_v[] = { "5.2.4.3", "6.1.7.3", "1.0.0.pre1", "2.8.1", "1.13.10", "3.0.0-rc1",
				     "7.0.4", "0.9.2" };
static const char *const nuget_v[] = { "13.0.1", "6.0.0-preview.4.21253.7", "4.7.2", "1.0.0.0", "2.2.0-beta1",
				       "12.0.3", "8.0.0", "5.2.9" };
static const char *const comp_v[] = { "v5.4.21", "1.0.0-beta.2", "2.0.0-RC1", "6.3.0", "1.10.0",
				      "7.4.0-alpha1", "3.0.0-p1", "5.4.0" };

struct set {
	enum sw_vscheme s;
	const char *const *v;
	size_t n;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? strtod(argv[1], NULL) : 0.5;
	if (secs <= 0)
		secs = 0.5;
#define SET(sc, arr) { sc, arr, sizeof(arr) / sizeof(arr[0]) }
	const struct set sets[] = {
		SET(SW_VS_DPKG, dpkg_v), SET(SW_VS_RPM, rpm_v), SET(SW_VS_APK, apk_v),
		SET(SW_VS_PEP440, pep_v), SET(SW_VS_SEMVER, sem_v), SET(SW_VS_NPM, sem_v),
		SET(SW_VS_GO, go_v), SET(SW_VS_MAVEN, mvn_v), SET(SW_VS_GEM, gem_v),
		SET(SW_VS_NUGET, nuget_v), SET(SW_VS_COMPOSER, comp_v), SET(SW_VS_CARGO, sem_v),
	};
	printf("%-10s %14s %10s\n", "scheme", "compares/s", "ns/compare");
	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		const struct set *st = &sets[k];
		long n = 0, sum = 0;
		double t0 = now(), t;
		do {
			for (size_t i = 0; i < st->n; i++)
				for (size_t j = 0; j < st->n; j++) {
					int c = 0;
					if (sw_version_compare(st->s, st->v[i], st->v[j], &c, NULL) < 0) {
						fprintf(stderr, "bench: %s: '%s' or '%s' does not parse\n",
							sw_vscheme_name(st->s), st->v[i], st->v[j]);
						return 1;
					}
					sum += c;
					n++;
				}
			t = now() - t0;
		} while (t < secs);
		printf("%-10s %14.0f %10.1f\n", sw_vscheme_name(st->s), (double)n / t, t * 1e9 / (double)n);
		if (sum == 42424242)
			puts("");
	}
	return 0;
}
