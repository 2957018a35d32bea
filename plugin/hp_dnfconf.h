/* The parts of dnf's repository configuration beyond one baseurl (issue
 * 12): the [main] settings that change how repositories are read, dnf's
 * variables in URLs and keys, a repository's sources (every baseurl, then
 * a metalink's or mirrorlist's mirrors) tried in order until one can be
 * read, and includepkgs/excludepkgs filtering the hotpatches offered.
 *
 * Parsing the .repo files stays in repo_conf.c (hp_repo.h); loading one
 * source stays hp_repo_load. */
#ifndef HP_DNFCONF_H
#define HP_DNFCONF_H

#include "hp_dnfvars.h"
#include "hp_repo.h"
#include "hp_util.h"

/* dnf.conf [main] keys that are not per-repository defaults of hp_repo_conf. */
struct hp_dnf_main {
	char *releasever;                           /* releasever=, NULL when not set */
	int skip_if_unavailable;                    /* -1 when not set */
	struct hp_strvec excludepkgs, includepkgs;  /* excludepkgs= (alias exclude=), includepkgs= */
};

void hp_dnf_main_init(struct hp_dnf_main *m);
void hp_dnf_main_release(struct hp_dnf_main *m);
/* One [main] key (others are ignored); booleans are parsed by the caller. */
void hp_dnf_main_set(struct hp_dnf_main *m, const char *key, const char *val);

/* Replaces `out` with the words of a dnf list value (commas, spaces, newlines). */
void hp_conf_split_list(struct hp_strvec *out, const char *val);

/* The issue-12 fields of hp_repo_conf: defaults, one key, release. */
void hp_repo_conf_init_more(struct hp_repo_conf *rc);
void hp_repo_conf_set_more(struct hp_repo_conf *rc, const char *key, const char *val);
void hp_repo_conf_release_more(struct hp_repo_conf *rc);
/* [main]'s defaults for what the repository did not set. */
void hp_repo_conf_apply_main(struct hp_repo_conf *rc, const struct hp_dnf_main *m);

/* Substitutes dnf's variables in the repository's baseurls, mirrorlist,
 * metalink and gpgkeys (as libdnf does when it reads the values). */
void hp_dnfconf_expand(struct hp_repo_conf *rc, struct hp_dnfvars *v);

/* Loads the configured repository `c` (expanded) from its sources in
 * order -- each baseurl, then the metalink's mirrors (preference order)
 * or else the mirrorlist's URLs --
 * until one is read; a source that fails moves on to the next. With a
 * metalink, repodata/repomd.xml from any source must match the metalink's
 * size and strongest hash (hp_metalink.h) before anything else reads it.
 * `o` as for hp_repo_load (its repomd_check is set here); `vars` (may be
 * NULL) are substituted in the mirrorlist's and metalink's URLs (as librepo
 * does). Errors: one line
 * naming the repository: "repository '<id>': <why>" (with several sources,
 * how many were tried and the last failure). */
int hp_repo_load_conf(struct hp_repo *r, const struct hp_repo_conf *c,
		      const struct hp_repo_opts *o, struct hp_dnfvars *vars, struct hp_strbuf *err);

/* Keeps in r->meta only the hotpatches that `c`'s includepkgs (when set)
 * and [main]'s includepkgs (when set) include and that neither excludepkgs
 * excludes. Patterns are globs (fnmatch) matched, as dnf's package specs,
 * against NAME, NAME.ARCH, NAME-[E:]V-R and NAME-[E:]V-R.ARCH (the epoch
 * written or left out when 0). Returns how
 * many were dropped. */
size_t hp_repo_filter_pkgs(struct hp_repo *r, const struct hp_repo_conf *c,
			   const struct hp_dnf_main *m);

#endif
