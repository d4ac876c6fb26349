/*
 * cvss2.c - CVSS v2.0: metric table and equations (FIRST, "A Complete
 * Guide to the Common Vulnerability Scoring System Version 2.0",
 * sections 2.4 and 3.2).
 */
#include <math.h>

#include "vulndb/cvss_int.h"

enum { AV, AC, AU, C, I, A, E, RL, RC, CDP, TD, CR, IR, AR, N_METRICS };

/* Value lists and their weights, index for index. */
static const char *const v_av[] = { "L", "A", "N", NULL };
static const double w_av[] = { 0.395, 0.646, 1.0 };
static const char *const v_ac[] = { "H", "M", "L", NULL };
static const double w_ac[] = { 0.35, 0.61, 0.71 };
static const char *const v_au[] = { "M", "S", "N", NULL };
static const double w_au[] = { 0.45, 0.56, 0.704 };
static const char *const v_cia[] = { "N", "P", "C", NULL };
static const double w_cia[] = { 0.0, 0.275, 0.660 };
static const char *const v_e[] = { "U", "POC", "F", "H", "ND", NULL };
static const double w_e[] = { 0.85, 0.9, 0.95, 1.0, 1.0 };
static const char *const v_rl[] = { "OF", "TF", "W", "U", "ND", NULL };
static const double w_rl[] = { 0.87, 0.90, 0.95, 1.0, 1.0 };
static const char *const v_rc[] = { "UC", "UR", "C", "ND", NULL };
static const double w_rc[] = { 0.90, 0.95, 1.0, 1.0 };
static const char *const v_cdp[] = { "N", "L", "LM", "MH", "H", "ND", NULL };
static const double w_cdp[] = { 0.0, 0.1, 0.3, 0.4, 0.5, 0.0 };
static const char *const v_td[] = { "N", "L", "M", "H", "ND", NULL };
static const double w_td[] = { 0.0, 0.25, 0.75, 1.0, 1.0 };
static const char *const v_req[] = { "L", "M", "H", "ND", NULL };
static const double w_req[] = { 0.5, 1.0, 1.51, 1.0 };

#define MAND SW_CVSS_MANDATORY
#define TEMP (SW_CVSS_GROUP_TEMPORAL | SW_CVSS_THREAT)
#define ENV (SW_CVSS_GROUP_ENV | SW_CVSS_ENV)

static const struct sw_cvss_metric metrics[N_METRICS] = {
	[AV] = { "AV", v_av, MAND },
	[AC] = { "AC", v_ac, MAND },
	[AU] = { "Au", v_au, MAND },
	[C] = { "C", v_cia, MAND },
	[I] = { "I", v_cia, MAND },
	[A] = { "A", v_cia, MAND },
	[E] = { "E", v_e, TEMP },
	[RL] = { "RL", v_rl, TEMP },
	[RC] = { "RC", v_rc, TEMP },
	[CDP] = { "CDP", v_cdp, ENV },
	[TD] = { "TD", v_td, ENV },
	[CR] = { "CR", v_req, ENV },
	[IR] = { "IR", v_req, ENV },
	[AR] = { "AR", v_req, ENV },
};

const struct sw_cvss_table sw_cvss2_table = {
	SW_CVSS_V2, "", metrics, N_METRICS, true,
};

/* Weight of metric id, or dflt when the metric is absent. */
static double w(const struct sw_cvss *c, int id, const double *weights, double dflt)
{
	int v = sw_cvss_val(c, id);
	return v < 0 ? dflt : weights[v];
}

/* round_to_1_decimal, half up; the tiny slack keeps decimal ties such as
 * 9.15 (computed as 9.1499999...) from rounding down. */
static double round1(double x)
{
	return floor(x * 10.0 + 0.5 + 1e-9) / 10.0;
}

static double base_equation(double impact, double exploitability)
{
	double f = impact == 0.0 ? 0.0 : 1.176;
	return round1(((0.6 * impact) + (0.4 * exploitability) - 1.5) * f);
}

double sw_cvss2_compute(const struct sw_cvss *c, bool whole)
{
	double cc = w(c, C, w_cia, 0), ii = w(c, I, w_cia, 0), aa = w(c, A, w_cia, 0);
	double impact = 10.41 * (1 - (1 - cc) * (1 - ii) * (1 - aa));
	double expl = 20 * w(c, AV, w_av, 0) * w(c, AC, w_ac, 0) * w(c, AU, w_au, 0);
	double base = base_equation(impact, expl);
	if (!whole)
		return base;

	double tmult = w(c, E, w_e, 1.0) * w(c, RL, w_rl, 1.0) * w(c, RC, w_rc, 1.0);
	if (!c->m[CDP]) {
		if (!c->m[E])
			return base;
		return round1(base * tmult);
	}

	double adj_impact = fmin(10.0, 10.41 * (1 - (1 - cc * w(c, CR, w_req, 1.0)) *
						      (1 - ii * w(c, IR, w_req, 1.0)) *
						      (1 - aa * w(c, AR, w_req, 1.0))));
	double adj_temporal = round1(base_equation(adj_impact, expl) * tmult);
	double cdp = w(c, CDP, w_cdp, 0.0), td = w(c, TD, w_td, 1.0);
	return round1((adj_temporal + (10 - adj_temporal) * cdp) * td);
}
