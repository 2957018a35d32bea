/* dnf's variables, as dnf 4 sets and substitutes them in repository
 * configuration ($releasever, $arch, $basearch, custom variables).
 *
 * Where the values come from, in dnf 4's order (later wins):
 *   1. the environment: DNF_VAR_<name> and DNF0..DNF9 (dnf's Substitutions);
 *   2. $arch from uname's machine (HP_UNAME_M overrides it for tests), and
 *      $basearch mapped from it with dnf's table (dnf.rpm._BASEARCH_MAP:
 *      i686 -> i386, armv7hl -> armhfp, ppc64p7 -> ppc64, amd64 -> x86_64, ...);
 *   3. dnf.conf's [main] releasever= (o->conf_releasever);
 *   4. files in <root>/etc/yum/vars/ then <root>/etc/dnf/vars/ (the file's
 *      name is the variable, its first line the value);
 *   5. --releasever (o->releasever) wins over all of them; without it and
 *      without any releasever so far, it is detected as dnf.rpm's
 *      detect_releasever does: the first installed package providing
 *      system-release(releasever), system-release,
 *      distribution-release(releasever), distribution-release,
 *      redhat-release or suse-release (in that order); its version, or the
 *      provide's version when the provide is "= VER" and the package is
 *      not named like the provide. Detection happens only when a value
 *      uses $releasever (it opens the rpmdb).
 *
 * Substitution (libdnf's ConfigParser::substitute): $name and ${name}
 * (name: letters, digits, '_'), ${name:-word} (word when name is unset or
 * empty), ${name:+word} (word when name is set and not empty; words are
 * substituted in turn); an unknown variable is left as written. */
#ifndef HP_DNFVARS_H
#define HP_DNFVARS_H

#include "hp_util.h"

struct hp_dnfvars_opts {
	const char *root;             /* installroot, NULL or "/" = the host */
	const char *dbpath;           /* rpmdb path inside the root (NULL = rpm's) */
	const char *releasever;       /* --releasever, NULL = none */
	const char *conf_releasever;  /* dnf.conf [main] releasever=, NULL = none */
};

struct hp_dnfvars {
	struct hp_strvec names, values;   /* parallel */
	char *root, *dbpath;              /* for detecting releasever later */
	int releasever_detected;          /* detection tried */
};

void hp_dnfvars_init(struct hp_dnfvars *v);
void hp_dnfvars_release(struct hp_dnfvars *v);

/* Fills `v` from the sources above (releasever detection is deferred).
 * An unreadable vars directory or file is skipped, as dnf does. */
void hp_dnfvars_load(struct hp_dnfvars *v, const struct hp_dnfvars_opts *o);

/* Sets (or replaces) one variable. */
void hp_dnfvars_set(struct hp_dnfvars *v, const char *name, const char *value);

/* The value of `name`, or NULL; "releasever" triggers the detection. */
const char *hp_dnfvars_get(struct hp_dnfvars *v, const char *name);

/* `s` with the variables substituted, malloc'd. */
char *hp_dnfvars_subst(struct hp_dnfvars *v, const char *s);

/* dnf's base architecture of `arch` (e.g. "i686" -> "i386"), NULL when dnf
 * does not know it. */
const char *hp_dnf_basearch(const char *arch);

/* releasever of the system in `root` as dnf 4 detects it: 0 with a
 * malloc'd *out, 0 with *out NULL when no package provides it, -1 when
 * the rpmdb cannot be read. */
int hp_dnf_detect_releasever(const char *root, const char *dbpath, char **out,
			     struct hp_strbuf *err);

#endif
