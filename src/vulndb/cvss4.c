/*
 * cvss4.c - CVSS v4.0: metric table and the macrovector scoring method
 * (FIRST, "CVSS v4.0 Specification Document", sections 7 and 8): the
 * vector's six equivalence classes (EQ1..EQ6) name a macrovector whose
 * score comes from the specification's lookup table; the score is then
 * lowered by the vector's mean proportional severity distance from the
 * highest-severity vectors of that macrovector, and rounded half up to one
 * decimal.
 */
#include <math.h>

#include "vulndb/cvss_int.h"

enum {
	AV, AC, AT, PR, UI, VC, VI, VA, SC, SI, SA,
	E,
	CR, IR, AR, MAV, MAC, MAT, MPR, MUI, MVC, MVI, MVA, MSC, MSI, MSA,
	S, AU, R, V, RE, U,
	N_METRICS
};

static const char *const v_av[] = { "N", "A", "L", "P", NULL };
static const char *const v_ac[] = { "L", "H", NULL };
static const char *const v_at[] = { "N", "P", NULL };
static const char *const v_pr[] = { "N", "L", "H", NULL };
static const char *const v_ui[] = { "N", "P", "A", NULL };
static const char *const v_cia[] = { "H", "L", "N", NULL };
static const char *const v_e[] = { "X", "A", "P", "U", NULL };
static const char *const v_req[] = { "X", "H", "M", "L", NULL };
static const char *const v_mav[] = { "X", "N", "A", "L", "P", NULL };
static const char *const v_mac[] = { "X", "L", "H", NULL };
static const char *const v_mat[] = { "X", "N", "P", NULL };
static const char *const v_mpr[] = { "X", "N", "L", "H", NULL };
static const char *const v_mui[] = { "X", "N", "P", "A", NULL };
static const char *const v_mcia[] = { "X", "H", "L", "N", NULL };
static const char *const v_msia[] = { "X", "S", "H", "L", "N", NULL };
static const char *const v_s[] = { "X", "N", "P", NULL };
static const char *const v_au[] = { "X", "N", "Y", NULL };
static const char *const v_r[] = { "X", "A", "U", "I", NULL };
static const char *const v_v[] = { "X", "D", "C", NULL };
static const char *const v_re[] = { "X", "L", "M", "H", NULL };
static const char *const v_u[] = { "X", "Clear", "Green", "Amber", "Red", NULL };

#define MAND SW_CVSS_MANDATORY
#define THR SW_CVSS_THREAT
#define ENV SW_CVSS_ENV

static const struct sw_cvss_metric metrics[N_METRICS] = {
	[AV] = { "AV", v_av, MAND },
	[AC] = { "AC", v_ac, MAND },
	[AT] = { "AT", v_at, MAND },
	[PR] = { "PR", v_pr, MAND },
	[UI] = { "UI", v_ui, MAND },
	[VC] = { "VC", v_cia, MAND },
	[VI] = { "VI", v_cia, MAND },
	[VA] = { "VA", v_cia, MAND },
	[SC] = { "SC", v_cia, MAND },
	[SI] = { "SI", v_cia, MAND },
	[SA] = { "SA", v_cia, MAND },
	[E] = { "E", v_e, THR },
	[CR] = { "CR", v_req, ENV },
	[IR] = { "IR", v_req, ENV },
	[AR] = { "AR", v_req, ENV },
	[MAV] = { "MAV", v_mav, ENV },
	[MAC] = { "MAC", v_mac, ENV },
	[MAT] = { "MAT", v_mat, ENV },
	[MPR] = { "MPR", v_mpr, ENV },
	[MUI] = { "MUI", v_mui, ENV },
	[MVC] = { "MVC", v_mcia, ENV },
	[MVI] = { "MVI", v_mcia, ENV },
	[MVA] = { "MVA", v_mcia, ENV },
	[MSC] = { "MSC", v_mcia, ENV },
	[MSI] = { "MSI", v_msia, ENV },
	[MSA] = { "MSA", v_msia, ENV },
	[S] = { "S", v_s, 0 },
	[AU] = { "AU", v_au, 0 },
	[R] = { "R", v_r, 0 },
	[V] = { "V", v_v, 0 },
	[RE] = { "RE", v_re, 0 },
	[U] = { "U", v_u, 0 },
};

/* The v4.0 specification requires the metrics in its table's order. */
const struct sw_cvss_table sw_cvss4_table = {
	SW_CVSS_V40, "CVSS:4.0/", metrics, N_METRICS, true,
};

/*
 * Macrovector scores: the 270 entries of the CVSS v4.0 lookup table, indexed
 * by the six EQ levels.  Data transcribed from the FIRST/Red Hat reference
 * calculator (github.com/RedHatProductSecurity/cvss-v4-calculator,
 * cvss40.js LOOKUP_TABLE, commit d1eafe06; identical to cvss_lookup.js of
 * github.com/FIRSTdotorg/cvss-v4-calculator), "Copyright (c) 2023 FIRST.ORG,
 * Inc., Red Hat, and contributors", BSD-2-Clause licence.  Slots left 0 (EQ3
 * level 2 with EQ6 level 0) do not exist.
 */
#define M(e1, e2, e3, e4, e5, e6) \
	((((((e1) * 2 + (e2)) * 3 + (e3)) * 3 + (e4)) * 3 + (e5)) * 2 + (e6))
static const double lookup[3 * 2 * 3 * 3 * 3 * 2] = {
	[M(0, 0, 0, 0, 0, 0)] = 10.0, [M(0, 0, 0, 0, 0, 1)] = 9.9, [M(0, 0, 0, 0, 1, 0)] = 9.8,
	[M(0, 0, 0, 0, 1, 1)] = 9.5, [M(0, 0, 0, 0, 2, 0)] = 9.5, [M(0, 0, 0, 0, 2, 1)] = 9.2,
	[M(0, 0, 0, 1, 0, 0)] = 10.0, [M(0, 0, 0, 1, 0, 1)] = 9.6, [M(0, 0, 0, 1, 1, 0)] = 9.3,
	[M(0, 0, 0, 1, 1, 1)] = 8.7, [M(0, 0, 0, 1, 2, 0)] = 9.1, [M(0, 0, 0, 1, 2, 1)] = 8.1,
	[M(0, 0, 0, 2, 0, 0)] = 9.3, [M(0, 0, 0, 2, 0, 1)] = 9.0, [M(0, 0, 0, 2, 1, 0)] = 8.9,
	[M(0, 0, 0, 2, 1, 1)] = 8.0, [M(0, 0, 0, 2, 2, 0)] = 8.1, [M(0, 0, 0, 2, 2, 1)] = 6.8,
	[M(0, 0, 1, 0, 0, 0)] = 9.8, [M(0, 0, 1, 0, 0, 1)] = 9.5, [M(0, 0, 1, 0, 1, 0)] = 9.5,
	[M(0, 0, 1, 0, 1, 1)] = 9.2, [M(0, 0, 1, 0, 2, 0)] = 9.0, [M(0, 0, 1, 0, 2, 1)] = 8.4,
	[M(0, 0, 1, 1, 0, 0)] = 9.3, [M(0, 0, 1, 1, 0, 1)] = 9.2, [M(0, 0, 1, 1, 1, 0)] = 8.9,
	[M(0, 0, 1, 1, 1, 1)] = 8.1, [M(0, 0, 1, 1, 2, 0)] = 8.1, [M(0, 0, 1, 1, 2, 1)] = 6.5,
	[M(0, 0, 1, 2, 0, 0)] = 8.8, [M(0, 0, 1, 2, 0, 1)] = 8.0, [M(0, 0, 1, 2, 1, 0)] = 7.8,
	[M(0, 0, 1, 2, 1, 1)] = 7.0, [M(0, 0, 1, 2, 2, 0)] = 6.9, [M(0, 0, 1, 2, 2, 1)] = 4.8,
	[M(0, 0, 2, 0, 0, 1)] = 9.2, [M(0, 0, 2, 0, 1, 1)] = 8.2, [M(0, 0, 2, 0, 2, 1)] = 7.2,
	[M(0, 0, 2, 1, 0, 1)] = 7.9, [M(0, 0, 2, 1, 1, 1)] = 6.9, [M(0, 0, 2, 1, 2, 1)] = 5.0,
	[M(0, 0, 2, 2, 0, 1)] = 6.9, [M(0, 0, 2, 2, 1, 1)] = 5.5, [M(0, 0, 2, 2, 2, 1)] = 2.7,
	[M(0, 1, 0, 0, 0, 0)] = 9.9, [M(0, 1, 0, 0, 0, 1)] = 9.7, [M(0, 1, 0, 0, 1, 0)] = 9.5,
	[M(0, 1, 0, 0, 1, 1)] = 9.2, [M(0, 1, 0, 0, 2, 0)] = 9.2, [M(0, 1, 0, 0, 2, 1)] = 8.5,
	[M(0, 1, 0, 1, 0, 0)] = 9.5, [M(0, 1, 0, 1, 0, 1)] = 9.1, [M(0, 1, 0, 1, 1, 0)] = 9.0,
	[M(0, 1, 0, 1, 1, 1)] = 8.3, [M(0, 1, 0, 1, 2, 0)] = 8.4, [M(0, 1, 0, 1, 2, 1)] = 7.1,
	[M(0, 1, 0, 2, 0, 0)] = 9.2, [M(0, 1, 0, 2, 0, 1)] = 8.1, [M(0, 1, 0, 2, 1, 0)] = 8.2,
	[M(0, 1, 0, 2, 1, 1)] = 7.1, [M(0, 1, 0, 2, 2, 0)] = 7.2, [M(0, 1, 0, 2, 2, 1)] = 5.3,
	[M(0, 1, 1, 0, 0, 0)] = 9.5, [M(0, 1, 1, 0, 0, 1)] = 9.3, [M(0, 1, 1, 0, 1, 0)] = 9.2,
	[M(0, 1, 1, 0, 1, 1)] = 8.5, [M(0, 1, 1, 0, 2, 0)] = 8.5, [M(0, 1, 1, 0, 2, 1)] = 7.3,
	[M(0, 1, 1, 1, 0, 0)] = 9.2, [M(0, 1, 1, 1, 0, 1)] = 8.2, [M(0, 1, 1, 1, 1, 0)] = 8.0,
	[M(0, 1, 1, 1, 1, 1)] = 7.2, [M(0, 1, 1, 1, 2, 0)] = 7.0, [M(0, 1, 1, 1, 2, 1)] = 5.9,
	[M(0, 1, 1, 2, 0, 0)] = 8.4, [M(0, 1, 1, 2, 0, 1)] = 7.0, [M(0, 1, 1, 2, 1, 0)] = 7.1,
	[M(0, 1, 1, 2, 1, 1)] = 5.2, [M(0, 1, 1, 2, 2, 0)] = 5.0, [M(0, 1, 1, 2, 2, 1)] = 3.0,
	[M(0, 1, 2, 0, 0, 1)] = 8.6, [M(0, 1, 2, 0, 1, 1)] = 7.5, [M(0, 1, 2, 0, 2, 1)] = 5.2,
	[M(0, 1, 2, 1, 0, 1)] = 7.1, [M(0, 1, 2, 1, 1, 1)] = 5.2, [M(0, 1, 2, 1, 2, 1)] = 2.9,
	[M(0, 1, 2, 2, 0, 1)] = 6.3, [M(0, 1, 2, 2, 1, 1)] = 2.9, [M(0, 1, 2, 2, 2, 1)] = 1.7,
	[M(1, 0, 0, 0, 0, 0)] = 9.8, [M(1, 0, 0, 0, 0, 1)] = 9.5, [M(1, 0, 0, 0, 1, 0)] = 9.4,
	[M(1, 0, 0, 0, 1, 1)] = 8.7, [M(1, 0, 0, 0, 2, 0)] = 9.1, [M(1, 0, 0, 0, 2, 1)] = 8.1,
	[M(1, 0, 0, 1, 0, 0)] = 9.4, [M(1, 0, 0, 1, 0, 1)] = 8.9, [M(1, 0, 0, 1, 1, 0)] = 8.6,
	[M(1, 0, 0, 1, 1, 1)] = 7.4, [M(1, 0, 0, 1, 2, 0)] = 7.7, [M(1, 0, 0, 1, 2, 1)] = 6.4,
	[M(1, 0, 0, 2, 0, 0)] = 8.7, [M(1, 0, 0, 2, 0, 1)] = 7.5, [M(1, 0, 0, 2, 1, 0)] = 7.4,
	[M(1, 0, 0, 2, 1, 1)] = 6.3, [M(1, 0, 0, 2, 2, 0)] = 6.3, [M(1, 0, 0, 2, 2, 1)] = 4.9,
	[M(1, 0, 1, 0, 0, 0)] = 9.4, [M(1, 0, 1, 0, 0, 1)] = 8.9, [M(1, 0, 1, 0, 1, 0)] = 8.8,
	[M(1, 0, 1, 0, 1, 1)] = 7.7, [M(1, 0, 1, 0, 2, 0)] = 7.6, [M(1, 0, 1, 0, 2, 1)] = 6.7,
	[M(1, 0, 1, 1, 0, 0)] = 8.6, [M(1, 0, 1, 1, 0, 1)] = 7.6, [M(1, 0, 1, 1, 1, 0)] = 7.4,
	[M(1, 0, 1, 1, 1, 1)] = 5.8, [M(1, 0, 1, 1, 2, 0)] = 5.9, [M(1, 0, 1, 1, 2, 1)] = 5.0,
	[M(1, 0, 1, 2, 0, 0)] = 7.2, [M(1, 0, 1, 2, 0, 1)] = 5.7, [M(1, 0, 1, 2, 1, 0)] = 5.7,
	[M(1, 0, 1, 2, 1, 1)] = 5.2, [M(1, 0, 1, 2, 2, 0)] = 5.2, [M(1, 0, 1, 2, 2, 1)] = 2.5,
	[M(1, 0, 2, 0, 0, 1)] = 8.3, [M(1, 0, 2, 0, 1, 1)] = 7.0, [M(1, 0, 2, 0, 2, 1)] = 5.4,
	[M(1, 0, 2, 1, 0, 1)] = 6.5, [M(1, 0, 2, 1, 1, 1)] = 5.8, [M(1, 0, 2, 1, 2, 1)] = 2.6,
	[M(1, 0, 2, 2, 0, 1)] = 5.3, [M(1, 0, 2, 2, 1, 1)] = 2.1, [M(1, 0, 2, 2, 2, 1)] = 1.3,
	[M(1, 1, 0, 0, 0, 0)] = 9.5, [M(1, 1, 0, 0, 0, 1)] = 9.0, [M(1, 1, 0, 0, 1, 0)] = 8.8,
	[M(1, 1, 0, 0, 1, 1)] = 7.6, [M(1, 1, 0, 0, 2, 0)] = 7.6, [M(1, 1, 0, 0, 2, 1)] = 7.0,
	[M(1, 1, 0, 1, 0, 0)] = 9.0, [M(1, 1, 0, 1, 0, 1)] = 7.7, [M(1, 1, 0, 1, 1, 0)] = 7.5,
	[M(1, 1, 0, 1, 1, 1)] = 6.2, [M(1, 1, 0, 1, 2, 0)] = 6.1, [M(1, 1, 0, 1, 2, 1)] = 5.3,
	[M(1, 1, 0, 2, 0, 0)] = 7.7, [M(1, 1, 0, 2, 0, 1)] = 6.6, [M(1, 1, 0, 2, 1, 0)] = 6.8,
	[M(1, 1, 0, 2, 1, 1)] = 5.9, [M(1, 1, 0, 2, 2, 0)] = 5.2, [M(1, 1, 0, 2, 2, 1)] = 3.0,
	[M(1, 1, 1, 0, 0, 0)] = 8.9, [M(1, 1, 1, 0, 0, 1)] = 7.8, [M(1, 1, 1, 0, 1, 0)] = 7.6,
	[M(1, 1, 1, 0, 1, 1)] = 6.7, [M(1, 1, 1, 0, 2, 0)] = 6.2, [M(1, 1, 1, 0, 2, 1)] = 5.8,
	[M(1, 1, 1, 1, 0, 0)] = 7.4, [M(1, 1, 1, 1, 0, 1)] = 5.9, [M(1, 1, 1, 1, 1, 0)] = 5.7,
	[M(1, 1, 1, 1, 1, 1)] = 5.7, [M(1, 1, 1, 1, 2, 0)] = 4.7, [M(1, 1, 1, 1, 2, 1)] = 2.3,
	[M(1, 1, 1, 2, 0, 0)] = 6.1, [M(1, 1, 1, 2, 0, 1)] = 5.2, [M(1, 1, 1, 2, 1, 0)] = 5.7,
	[M(1, 1, 1, 2, 1, 1)] = 2.9, [M(1, 1, 1, 2, 2, 0)] = 2.4, [M(1, 1, 1, 2, 2, 1)] = 1.6,
	[M(1, 1, 2, 0, 0, 1)] = 7.1, [M(1, 1, 2, 0, 1, 1)] = 5.9, [M(1, 1, 2, 0, 2, 1)] = 3.0,
	[M(1, 1, 2, 1, 0, 1)] = 5.8, [M(1, 1, 2, 1, 1, 1)] = 2.6, [M(1, 1, 2, 1, 2, 1)] = 1.5,
	[M(1, 1, 2, 2, 0, 1)] = 2.3, [M(1, 1, 2, 2, 1, 1)] = 1.3, [M(1, 1, 2, 2, 2, 1)] = 0.6,
	[M(2, 0, 0, 0, 0, 0)] = 9.3, [M(2, 0, 0, 0, 0, 1)] = 8.7, [M(2, 0, 0, 0, 1, 0)] = 8.6,
	[M(2, 0, 0, 0, 1, 1)] = 7.2, [M(2, 0, 0, 0, 2, 0)] = 7.5, [M(2, 0, 0, 0, 2, 1)] = 5.8,
	[M(2, 0, 0, 1, 0, 0)] = 8.6, [M(2, 0, 0, 1, 0, 1)] = 7.4, [M(2, 0, 0, 1, 1, 0)] = 7.4,
	[M(2, 0, 0, 1, 1, 1)] = 6.1, [M(2, 0, 0, 1, 2, 0)] = 5.6, [M(2, 0, 0, 1, 2, 1)] = 3.4,
	[M(2, 0, 0, 2, 0, 0)] = 7.0, [M(2, 0, 0, 2, 0, 1)] = 5.4, [M(2, 0, 0, 2, 1, 0)] = 5.2,
	[M(2, 0, 0, 2, 1, 1)] = 4.0, [M(2, 0, 0, 2, 2, 0)] = 4.0, [M(2, 0, 0, 2, 2, 1)] = 2.2,
	[M(2, 0, 1, 0, 0, 0)] = 8.5, [M(2, 0, 1, 0, 0, 1)] = 7.5, [M(2, 0, 1, 0, 1, 0)] = 7.4,
	[M(2, 0, 1, 0, 1, 1)] = 5.5, [M(2, 0, 1, 0, 2, 0)] = 6.2, [M(2, 0, 1, 0, 2, 1)] = 5.1,
	[M(2, 0, 1, 1, 0, 0)] = 7.2, [M(2, 0, 1, 1, 0, 1)] = 5.7, [M(2, 0, 1, 1, 1, 0)] = 5.5,
	[M(2, 0, 1, 1, 1, 1)] = 4.1, [M(2, 0, 1, 1, 2, 0)] = 4.6, [M(2, 0, 1, 1, 2, 1)] = 1.9,
	[M(2, 0, 1, 2, 0, 0)] = 5.3, [M(2, 0, 1, 2, 0, 1)] = 3.6, [M(2, 0, 1, 2, 1, 0)] = 3.4,
	[M(2, 0, 1, 2, 1, 1)] = 1.9, [M(2, 0, 1, 2, 2, 0)] = 1.9, [M(2, 0, 1, 2, 2, 1)] = 0.8,
	[M(2, 0, 2, 0, 0, 1)] = 6.4, [M(2, 0, 2, 0, 1, 1)] = 5.1, [M(2, 0, 2, 0, 2, 1)] = 2.0,
	[M(2, 0, 2, 1, 0, 1)] = 4.7, [M(2, 0, 2, 1, 1, 1)] = 2.1, [M(2, 0, 2, 1, 2, 1)] = 1.1,
	[M(2, 0, 2, 2, 0, 1)] = 2.4, [M(2, 0, 2, 2, 1, 1)] = 0.9, [M(2, 0, 2, 2, 2, 1)] = 0.4,
	[M(2, 1, 0, 0, 0, 0)] = 8.8, [M(2, 1, 0, 0, 0, 1)] = 7.5, [M(2, 1, 0, 0, 1, 0)] = 7.3,
	[M(2, 1, 0, 0, 1, 1)] = 5.3, [M(2, 1, 0, 0, 2, 0)] = 6.0, [M(2, 1, 0, 0, 2, 1)] = 5.0,
	[M(2, 1, 0, 1, 0, 0)] = 7.3, [M(2, 1, 0, 1, 0, 1)] = 5.5, [M(2, 1, 0, 1, 1, 0)] = 5.9,
	[M(2, 1, 0, 1, 1, 1)] = 4.0, [M(2, 1, 0, 1, 2, 0)] = 4.1, [M(2, 1, 0, 1, 2, 1)] = 2.0,
	[M(2, 1, 0, 2, 0, 0)] = 5.4, [M(2, 1, 0, 2, 0, 1)] = 4.3, [M(2, 1, 0, 2, 1, 0)] = 4.5,
	[M(2, 1, 0, 2, 1, 1)] = 2.2, [M(2, 1, 0, 2, 2, 0)] = 2.0, [M(2, 1, 0, 2, 2, 1)] = 1.1,
	[M(2, 1, 1, 0, 0, 0)] = 7.5, [M(2, 1, 1, 0, 0, 1)] = 5.5, [M(2, 1, 1, 0, 1, 0)] = 5.8,
	[M(2, 1, 1, 0, 1, 1)] = 4.5, [M(2, 1, 1, 0, 2, 0)] = 4.0, [M(2, 1, 1, 0, 2, 1)] = 2.1,
	[M(2, 1, 1, 1, 0, 0)] = 6.1, [M(2, 1, 1, 1, 0, 1)] = 5.1, [M(2, 1, 1, 1, 1, 0)] = 4.8,
	[M(2, 1, 1, 1, 1, 1)] = 1.8, [M(2, 1, 1, 1, 2, 0)] = 2.0, [M(2, 1, 1, 1, 2, 1)] = 0.9,
	[M(2, 1, 1, 2, 0, 0)] = 4.6, [M(2, 1, 1, 2, 0, 1)] = 1.8, [M(2, 1, 1, 2, 1, 0)] = 1.7,
	[M(2, 1, 1, 2, 1, 1)] = 0.7, [M(2, 1, 1, 2, 2, 0)] = 0.8, [M(2, 1, 1, 2, 2, 1)] = 0.2,
	[M(2, 1, 2, 0, 0, 1)] = 5.3, [M(2, 1, 2, 0, 1, 1)] = 2.4, [M(2, 1, 2, 0, 2, 1)] = 1.4,
	[M(2, 1, 2, 1, 0, 1)] = 2.4, [M(2, 1, 2, 1, 1, 1)] = 1.2, [M(2, 1, 2, 1, 2, 1)] = 0.5,
	[M(2, 1, 2, 2, 0, 1)] = 1.0, [M(2, 1, 2, 2, 1, 1)] = 0.3, [M(2, 1, 2, 2, 2, 1)] = 0.1,
};

/* Score of the macrovector, or -1 when it does not exist. */
static double macro_score(int e1, int e2, int e3, int e4, int e5, int e6)
{
	if (e1 > 2 || e2 > 1 || e3 > 2 || e4 > 2 || e5 > 2 || e6 > 1)
		return -1;
	double s = lookup[M(e1, e2, e3, e4, e5, e6)];
	return s > 0 ? s : -1;
}

/* Effective value (first letter) of a metric: the modified metric when one
 * is given (whole vector only), else the base value; E, CR, IR, AR default
 * to their worst case (A, H, H, H) when absent or X. */
static char eff(const struct sw_cvss *c, int id, bool whole)
{
	int v;
	switch (id) {
	case E:
	case CR:
	case IR:
	case AR:
		v = whole ? sw_cvss_val(c, id) : -1;
		return v > 0 ? metrics[id].vals[v][0] : (id == E ? 'A' : 'H');
	default:
		break;
	}
	if (whole && id <= SA) {
		int mid = id - AV + MAV;
		v = sw_cvss_val(c, mid);
		if (v > 0)
			return metrics[mid].vals[v][0];
	}
	v = sw_cvss_val(c, id);
	return metrics[id].vals[v < 0 ? 0 : v][0];
}

/* Severity level of a value, in the reference's units (steps of 0.1,
 * smaller = more severe). */
static double level(int id, char v)
{
	switch (id) {
	case AV: return v == 'N' ? 0.0 : v == 'A' ? 0.1 : v == 'L' ? 0.2 : 0.3;
	case PR: return v == 'N' ? 0.0 : v == 'L' ? 0.1 : 0.2;
	case UI: return v == 'N' ? 0.0 : v == 'P' ? 0.1 : 0.2;
	case AC: return v == 'L' ? 0.0 : 0.1;
	case AT: return v == 'N' ? 0.0 : 0.1;
	case VC:
	case VI:
	case VA: return v == 'H' ? 0.0 : v == 'L' ? 0.1 : 0.2;
	case SC: return v == 'H' ? 0.1 : v == 'L' ? 0.2 : 0.3;
	case SI:
	case SA: return v == 'S' ? 0.0 : v == 'H' ? 0.1 : v == 'L' ? 0.2 : 0.3;
	case CR:
	case IR:
	case AR: return v == 'H' ? 0.0 : v == 'M' ? 0.1 : 0.2;
	case E: return v == 'A' ? 0.0 : v == 'P' ? 0.1 : 0.2;
	default: return 0.0;
	}
}

/* Highest-severity vectors of each EQ level, as value letters of the
 * metrics listed (specification tables 24-29, as the reference writes
 * them).  EQ3 is split by the EQ6 level. */
static const int eq1_ids[] = { AV, PR, UI };
static const char *const eq1_max[3][4] = {
	{ "NNN" }, { "ANN", "NLN", "NNP" }, { "PNN", "ALP" },
};
static const int eq2_ids[] = { AC, AT };
static const char *const eq2_max[2][3] = { { "LN" }, { "HN", "LP" } };
static const int eq3_ids[] = { VC, VI, VA, CR, IR, AR };
static const char *const eq3_max[3][2][6] = {
	{ { "HHHHHH" }, { "HHLMMH", "HHHMMM" } },
	{ { "LHHHHH", "HLHHHH" }, { "LHLHMH", "LHHHMM", "HLHMHM", "HLLMHH", "LLHHHM" } },
	{ { NULL }, { "LLLHHH" } },
};
static const int eq4_ids[] = { SC, SI, SA };
static const char *const eq4_max[3][2] = { { "HSS" }, { "HHH" }, { "LLL" } };
static const char *const eq5_max[3][2] = { { "A" }, { "P" }, { "U" } };

/* Maximal severity distance of each EQ level (+1), in steps. */
static const int eq1_depth[3] = { 1, 4, 5 };
static const int eq2_depth[2] = { 1, 2 };
static const int eq36_depth[3][2] = { { 7, 6 }, { 8, 8 }, { 0, 10 } };
static const int eq4_depth[3] = { 6, 5, 4 };

struct dist {
	double d[N_METRICS]; /* effective level minus the max vector's level */
};

/* Distances of the vector (effective values ev) from one composed max
 * vector; false when some metric is more severe than the max vector. */
static bool distances(const char *ev, const char *m1, const char *m2, const char *m3,
		      const char *m4, const char *m5, struct dist *out)
{
	bool ok = true;
	for (int k = 0; k < 3; k++)
		out->d[eq1_ids[k]] = level(eq1_ids[k], ev[eq1_ids[k]]) - level(eq1_ids[k], m1[k]);
	for (int k = 0; k < 2; k++)
		out->d[eq2_ids[k]] = level(eq2_ids[k], ev[eq2_ids[k]]) - level(eq2_ids[k], m2[k]);
	for (int k = 0; k < 6; k++)
		out->d[eq3_ids[k]] = level(eq3_ids[k], ev[eq3_ids[k]]) - level(eq3_ids[k], m3[k]);
	for (int k = 0; k < 3; k++)
		out->d[eq4_ids[k]] = level(eq4_ids[k], ev[eq4_ids[k]]) - level(eq4_ids[k], m4[k]);
	out->d[E] = level(E, ev[E]) - level(E, m5[0]);
	static const int all[] = { AV, PR, UI, AC, AT, VC, VI, VA, SC, SI, SA, CR, IR, AR, E };
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
		if (out->d[all[k]] < 0)
			ok = false;
	return ok;
}

/* Reference rounding: half up after adding 1e-6 against representation
 * error (e.g. 8.6 - 7.15 = 1.4499999999999993 must give 1.5). */
static double round1(double x)
{
	return floor((x + 1e-6) * 10.0 + 0.5) / 10.0;
}

double sw_cvss4_compute(const struct sw_cvss *c, bool whole)
{
	char ev[N_METRICS] = { 0 };
	for (int id = AV; id <= AR; id++)
		ev[id] = eff(c, id, whole);

	if (ev[VC] == 'N' && ev[VI] == 'N' && ev[VA] == 'N' && ev[SC] == 'N' && ev[SI] == 'N' &&
	    ev[SA] == 'N')
		return 0.0;

	/* Equivalence classes (specification table 24). */
	int eq1, eq2, eq3, eq4, eq5, eq6;
	char av = ev[AV], pr = ev[PR], ui = ev[UI];
	if (av == 'N' && pr == 'N' && ui == 'N')
		eq1 = 0;
	else if ((av == 'N' || pr == 'N' || ui == 'N') && av != 'P')
		eq1 = 1;
	else
		eq1 = 2;
	eq2 = (ev[AC] == 'L' && ev[AT] == 'N') ? 0 : 1;
	if (ev[VC] == 'H' && ev[VI] == 'H')
		eq3 = 0;
	else if (ev[VC] == 'H' || ev[VI] == 'H' || ev[VA] == 'H')
		eq3 = 1;
	else
		eq3 = 2;
	if (ev[SI] == 'S' || ev[SA] == 'S')
		eq4 = 0;
	else if (ev[SC] == 'H' || ev[SI] == 'H' || ev[SA] == 'H')
		eq4 = 1;
	else
		eq4 = 2;
	eq5 = ev[E] == 'A' ? 0 : ev[E] == 'P' ? 1 : 2;
	eq6 = ((ev[CR] == 'H' && ev[VC] == 'H') || (ev[IR] == 'H' && ev[VI] == 'H') ||
	       (ev[AR] == 'H' && ev[VA] == 'H'))
		      ? 0
		      : 1;

	double value = macro_score(eq1, eq2, eq3, eq4, eq5, eq6);
	if (value < 0)
		return -1; /* cannot happen: every reachable macrovector exists */

	/* Scores of the next lower macrovector of each EQ (-1: none). */
	double lower1 = macro_score(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
	double lower2 = macro_score(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
	double lower36;
	if (eq3 == 0 && eq6 == 0) {
		double l = macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
		double r = macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
		lower36 = l > r ? l : r;
	} else if (eq3 == 1 && eq6 == 0) {
		lower36 = macro_score(eq1, eq2, eq3, eq4, eq5, eq6 + 1);
	} else if (eq6 == 1 && eq3 < 2) {
		lower36 = macro_score(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
	} else {
		lower36 = -1;
	}
	double lower4 = macro_score(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
	double lower5 = macro_score(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

	/* The first composed max vector the vector does not exceed. */
	struct dist d = { { 0 } };
	bool found = false;
	for (int a = 0; !found && a < 4 && eq1_max[eq1][a]; a++)
		for (int b = 0; !found && b < 3 && eq2_max[eq2][b]; b++)
			for (int k = 0; !found && k < 6 && eq3_max[eq3][eq6][k]; k++)
				for (int m = 0; !found && m < 2 && eq4_max[eq4][m]; m++)
					found = distances(ev, eq1_max[eq1][a], eq2_max[eq2][b],
							  eq3_max[eq3][eq6][k], eq4_max[eq4][m],
							  eq5_max[eq5][0], &d);
	/* As the reference does, fall back on the last one tried. */

	double cur1 = d.d[AV] + d.d[PR] + d.d[UI];
	double cur2 = d.d[AC] + d.d[AT];
	double cur36 = d.d[VC] + d.d[VI] + d.d[VA] + d.d[CR] + d.d[IR] + d.d[AR];
	double cur4 = d.d[SC] + d.d[SI] + d.d[SA];
	const double step = 0.1;

	int n = 0;
	double sum = 0.0;
	double n1 = 0, n2 = 0, n36 = 0, n4 = 0, n5 = 0;
	if (lower1 >= 0) {
		n++;
		n1 = (value - lower1) * (cur1 / (eq1_depth[eq1] * step));
	}
	if (lower2 >= 0) {
		n++;
		n2 = (value - lower2) * (cur2 / (eq2_depth[eq2] * step));
	}
	if (lower36 >= 0) {
		n++;
		n36 = (value - lower36) * (cur36 / (eq36_depth[eq3][eq6] * step));
	}
	if (lower4 >= 0) {
		n++;
		n4 = (value - lower4) * (cur4 / (eq4_depth[eq4] * step));
	}
	if (lower5 >= 0) {
		/* EQ5's proportion is always 0: only the count changes. */
		n++;
		n5 = (value - lower5) * 0.0;
	}
	sum = n1 + n2 + n36 + n4 + n5;
	double mean = n ? sum / n : 0.0;
	return round1(fmax(0.0, fmin(10.0, value - mean)));
}
