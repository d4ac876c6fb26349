/*
 * cvss3.c - CVSS v3.0 and v3.1: metric table and equations (FIRST, "CVSS
 * v3.1 Specification Document", sections 7.1-7.4 and Appendix A; v3.0
 * differs in its Roundup and in the modified-impact equation for a changed
 * scope).
 */
#include <math.h>

#include "vulndb/cvss_int.h"

enum {
	AV, AC, PR, UI, S, C, I, A,
	E, RL, RC,
	CR, IR, AR, MAV, MAC, MPR, MUI, MS, MC, MI, MA,
	N_METRICS
};

/* Base value lists and weights, index for index.  A modified metric's list
 * is "X" followed by its base metric's list, so modified index k > 0 uses
 * the base weight k - 1. */
static const char *const v_av[] = { "N", "A", "L", "P", NULL };
static const double w_av[] = { 0.85, 0.62, 0.55, 0.2 };
static const char *const v_ac[] = { "L", "H", NULL };
static const double w_ac[] = { 0.77, 0.44 };
static const char *const v_pr[] = { "N", "L", "H", NULL };
static const double w_pr_u[] = { 0.85, 0.62, 0.27 };
static const double w_pr_c[] = { 0.85, 0.68, 0.5 };
static const char *const v_ui[] = { "N", "R", NULL };
static const double w_ui[] = { 0.85, 0.62 };
static const char *const v_s[] = { "U", "C", NULL };
static const char *const v_cia[] = { "H", "L", "N", NULL };
static const double w_cia[] = { 0.56, 0.22, 0.0 };

static const char *const v_e[] = { "X", "U", "P", "F", "H", NULL };
static const double w_e[] = { 1.0, 0.91, 0.94, 0.97, 1.0 };
static const char *const v_rl[] = { "X", "O", "T", "W", "U", NULL };
static const double w_rl[] = { 1.0, 0.95, 0.96, 0.97, 1.0 };
static const char *const v_rc[] = { "X", "U", "R", "C", NULL };
static const double w_rc[] = { 1.0, 0.92, 0.96, 1.0 };
static const char *const v_req[] = { "X", "L", "M", "H", NULL };
static const double w_req[] = { 1.0, 0.5, 1.0, 1.5 };

static const char *const v_mav[] = { "X", "N", "A", "L", "P", NULL };
static const char *const v_mac[] = { "X", "L", "H", NULL };
static const char *const v_mpr[] = { "X", "N", "L", "H", NULL };
static const char *const v_mui[] = { "X", "N", "R", NULL };
static const char *const v_ms[] = { "X", "U", "C", NULL };
static const char *const v_mcia[] = { "X", "H", "L", "N", NULL };

#define MAND SW_CVSS_MANDATORY
#define TEMP SW_CVSS_THREAT
#define ENV SW_CVSS_ENV

static const struct sw_cvss_metric metrics[N_METRICS] = {
	[AV] = { "AV", v_av, MAND },
	[AC] = { "AC", v_ac, MAND },
	[PR] = { "PR", v_pr, MAND },
	[UI] = { "UI", v_ui, MAND },
	[S] = { "S", v_s, MAND },
	[C] = { "C", v_cia, MAND },
	[I] = { "I", v_cia, MAND },
	[A] = { "A", v_cia, MAND },
	[E] = { "E", v_e, TEMP },
	[RL] = { "RL", v_rl, TEMP },
	[RC] = { "RC", v_rc, TEMP },
	[CR] = { "CR", v_req, ENV },
	[IR] = { "IR", v_req, ENV },
	[AR] = { "AR", v_req, ENV },
	[MAV] = { "MAV", v_mav, ENV },
	[MAC] = { "MAC", v_mac, ENV },
	[MPR] = { "MPR", v_mpr, ENV },
	[MUI] = { "MUI", v_mui, ENV },
	[MS] = { "MS", v_ms, ENV },
	[MC] = { "MC", v_mcia, ENV },
	[MI] = { "MI", v_mcia, ENV },
	[MA] = { "MA", v_mcia, ENV },
};

/* The specification lets v3 metrics appear in any order. */
const struct sw_cvss_table sw_cvss30_table = {
	SW_CVSS_V30, "CVSS:3.0/", metrics, N_METRICS, false,
};
const struct sw_cvss_table sw_cvss31_table = {
	SW_CVSS_V31, "CVSS:3.1/", metrics, N_METRICS, false,
};

/* v3.1 Roundup (Appendix A): the smallest number with one decimal that is
 * equal to or higher than x, computed on an integer to avoid floating
 * point artefacts. */
static double roundup31(double x)
{
	long i = lround(x * 100000.0);
	if (i % 10000 == 0)
		return (double)i / 100000.0;
	return (double)(i / 10000 + 1) / 10.0;
}

/* v3.0 Roundup: plain ceiling to one decimal. */
static double roundup30(double x)
{
	return ceil(x * 10.0) / 10.0;
}

/* Index of a metric's value, or dflt when absent. */
static int val(const struct sw_cvss *c, int id, int dflt)
{
	int v = sw_cvss_val(c, id);
	return v < 0 ? dflt : v;
}

/* Base value index a modified metric resolves to: its own value unless
 * absent or X, then the base metric's. */
static int modified(const struct sw_cvss *c, int mid, int bid)
{
	int v = sw_cvss_val(c, mid);
	return v > 0 ? v - 1 : val(c, bid, 0);
}

struct parts {
	int av, ac, pr, ui, c, i, a;
	bool changed;
};

static double exploitability(const struct parts *p)
{
	const double *wpr = p->changed ? w_pr_c : w_pr_u;
	return 8.22 * w_av[p->av] * w_ac[p->ac] * wpr[p->pr] * w_ui[p->ui];
}

double sw_cvss3_compute(const struct sw_cvss *c, bool whole)
{
	double (*roundup)(double) = c->version == SW_CVSS_V30 ? roundup30 : roundup31;
	struct parts b = {
		val(c, AV, 0), val(c, AC, 0), val(c, PR, 0), val(c, UI, 0),
		val(c, C, 0), val(c, I, 0), val(c, A, 0), val(c, S, 0) == 1,
	};

	double iss = 1 - ((1 - w_cia[b.c]) * (1 - w_cia[b.i]) * (1 - w_cia[b.a]));
	double impact = b.changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss;
	double base;
	if (impact <= 0)
		base = 0;
	else if (b.changed)
		base = roundup(fmin(1.08 * (impact + exploitability(&b)), 10));
	else
		base = roundup(fmin(impact + exploitability(&b), 10));
	if (!whole)
		return base;

	bool has_temporal = false, has_env = false;
	for (int m = E; m < N_METRICS; m++) {
		if (!c->m[m])
			continue;
		if (metrics[m].flags & ENV)
			has_env = true;
		else
			has_temporal = true;
	}
	double tmult = w_e[val(c, E, 0)] * w_rl[val(c, RL, 0)] * w_rc[val(c, RC, 0)];
	if (!has_env)
		return has_temporal ? roundup(base * tmult) : base;

	int ms = sw_cvss_val(c, MS);
	struct parts m = {
		modified(c, MAV, AV), modified(c, MAC, AC), modified(c, MPR, PR), modified(c, MUI, UI),
		modified(c, MC, C), modified(c, MI, I), modified(c, MA, A),
		ms > 0 ? ms == 2 : b.changed,
	};
	double miss = fmin(1 - (1 - w_req[val(c, CR, 0)] * w_cia[m.c]) *
				       (1 - w_req[val(c, IR, 0)] * w_cia[m.i]) *
				       (1 - w_req[val(c, AR, 0)] * w_cia[m.a]),
			   0.915);
	double mimpact;
	if (!m.changed)
		mimpact = 6.42 * miss;
	else if (c->version == SW_CVSS_V30)
		mimpact = 7.52 * (miss - 0.029) - 3.25 * pow(miss - 0.02, 15);
	else
		mimpact = 7.52 * (miss - 0.029) - 3.25 * pow(miss * 0.9731 - 0.02, 13);
	if (mimpact <= 0)
		return 0;
	double sum = m.changed ? 1.08 * (mimpact + exploitability(&m)) : mimpact + exploitability(&m);
	return roundup(roundup(fmin(sum, 10)) * tmult);
}
