/*
 * severity.h - the severity scale every stage reports on: vulnerability
 * findings (match/), image checks (checks/), secrets and malware
 * (model/filefinding.h) and policy triggers.
 */
#ifndef SW_MODEL_SEVERITY_H
#define SW_MODEL_SEVERITY_H

enum sw_severity_level {
	SW_SEV_UNKNOWN = 0,
	SW_SEV_NEGLIGIBLE,
	SW_SEV_LOW,
	SW_SEV_MEDIUM,
	SW_SEV_HIGH,
	SW_SEV_CRITICAL,
};
const char *sw_severity_name(enum sw_severity_level s);      /* "critical", ... */
/* case-insensitive; also "moderate" (medium) and "important" (high); < 0 for
 * an unknown word */
int sw_severity_parse(const char *name, enum sw_severity_level *out);

#endif
