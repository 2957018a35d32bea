/* dnf configuration beyond one baseurl: [main] settings, variables,
 * mirrors and metalinks, package filters; see hp_dnfconf.h. */
#include "hp_dnfconf.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "hp_fetch.h"
#include "hp_metalink.h"
#include "hp_tempdir.h"

void hp_dnf_main_init(struct hp_dnf_main *m)
{
	m->releasever = NULL;
	m->skip_if_unavailable = -1;
	hp_strvec_init(&m->excludepkgs);
	hp_strvec_init(&m->includepkgs);
}

void hp_dnf_main_release(struct hp_dnf_main *m)
{
	free(m->releasever);
	hp_strvec_release(&m->excludepkgs);
	hp_strvec_release(&m->includepkgs);
	hp_dnf_main_init(m);
}

void hp_conf_split_list(struct hp_strvec *out, const char *val)
{
	const char *sep = ", \t\r\n";

	hp_strvec_release(out);
	for (const char *p = val + strspn(val, sep); *p; p += strspn(p, sep)) {
		size_t n = strcspn(p, sep);

		hp_strvec_push_nodup(out, hp_xstrndup(p, n));
		p += n;
	}
}

void hp_dnf_main_set(struct hp_dnf_main *m, const char *key, const char *val)
{
	if (!strcmp(key, "releasever")) {
		free(m->releasever);
		m->releasever = *val ? hp_xstrdup(val) : NULL;
	} else if (!strcmp(key, "excludepkgs") || !strcmp(key, "exclude")) {
		hp_conf_split_list(&m->excludepkgs, val);
	} else if (!strcmp(key, "includepkgs")) {
		hp_conf_split_list(&m->includepkgs, val);
	}
}

void hp_repo_conf_init_more(struct hp_repo_conf *rc)
{
	hp_strvec_init(&rc->baseurls);
	rc->mirrorlist = NULL;
	rc->metalink = NULL;
	rc->skip_if_unavailable = -1;
	hp_strvec_init(&rc->includepkgs);
	hp_strvec_init(&rc->excludepkgs);
}

void hp_repo_conf_release_more(struct hp_repo_conf *rc)
{
	hp_strvec_release(&rc->baseurls);
	free(rc->mirrorlist);
	free(rc->metalink);
	hp_strvec_release(&rc->includepkgs);
	hp_strvec_release(&rc->excludepkgs);
}

void hp_repo_conf_set_more(struct hp_repo_conf *rc, const char *key, const char *val)
{
	char **slot = !strcmp(key, "mirrorlist") ? &rc->mirrorlist
		      : !strcmp(key, "metalink") ? &rc->metalink : NULL;

	if (slot) {
		free(*slot);
		*slot = *val ? hp_xstrdup(val) : NULL;
	} else if (!strcmp(key, "excludepkgs") || !strcmp(key, "exclude")) {
		hp_conf_split_list(&rc->excludepkgs, val);
	} else if (!strcmp(key, "includepkgs")) {
		hp_conf_split_list(&rc->includepkgs, val);
	}
}

void hp_repo_conf_apply_main(struct hp_repo_conf *rc, const struct hp_dnf_main *m)
{
	if (rc->skip_if_unavailable < 0)
		rc->skip_if_unavailable = m && m->skip_if_unavailable >= 0 ? m->skip_if_unavailable : 0;
}

static void expand_one(char **s, struct hp_dnfvars *v)
{
	char *x;

	if (!*s)
		return;
	x = hp_dnfvars_subst(v, *s);
	free(*s);
	*s = x;
}

void hp_dnfconf_expand(struct hp_repo_conf *rc, struct hp_dnfvars *v)
{
	for (size_t i = 0; i < rc->baseurls.nr; i++)
		expand_one(&rc->baseurls.v[i], v);
	for (size_t i = 0; i < rc->gpgkeys.nr; i++)
		expand_one(&rc->gpgkeys.v[i], v);
	expand_one(&rc->baseurl, v);
	expand_one(&rc->mirrorlist, v);
	expand_one(&rc->metalink, v);
}

/* --- sources --- */

/* The bytes of a mirrorlist or metalink URL: read in place when local,
 * fetched (at most HP_FETCH_MAX_SMALL) into a private directory when
 * remote. */
static int read_url(const char *url, struct hp_strbuf *out, struct hp_strbuf *err)
{
	char *dir = NULL, *path = NULL;
	int ret = -1;

	switch (hp_url_kind(url)) {
	case HP_URL_LOCAL:
		return hp_read_file(strncmp(url, "file://", 7) ? url : url + 7, out, err);
	case HP_URL_UNSUPPORTED:
		return hp_error(err, "'%s': unsupported URL scheme", url);
	case HP_URL_REMOTE:
		break;
	}
	dir = hp_tempdir_create("hp-mirrors-", err);
	if (!dir)
		goto out;
	path = hp_path_join(dir, "list");
	if (hp_fetch_file(url, path, HP_FETCH_MAX_SMALL, err) < 0 ||
	    hp_read_file(path, out, err) < 0)
		goto out;
	ret = 0;
out:
	hp_tempdir_remove(dir);
	free(path);
	return ret;
}

/* A mirrorlist: one URL per line; blank lines and '#' comments skipped;
 * dnf's variables substituted in each (librepo does). */
static void parse_mirrorlist(char *text, struct hp_dnfvars *v, struct hp_strvec *out)
{
	for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
		line += strspn(line, " \t");
		line[strcspn(line, " \t")] = '\0';
		if (!*line || *line == '#')
			continue;
		hp_strvec_push_nodup(out, v ? hp_dnfvars_subst(v, line) : hp_xstrdup(line));
	}
}

struct metalink_check {
	const struct hp_metalink *m;
	const char *url;
};

static int check_against_metalink(const char *path, const void *data, struct hp_strbuf *err)
{
	const struct metalink_check *mc = data;

	return hp_metalink_check_file(mc->m, path, mc->url, err);
}

int hp_repo_load_conf(struct hp_repo *r, const struct hp_repo_conf *c,
		      const struct hp_repo_opts *o, struct hp_dnfvars *vars, struct hp_strbuf *err)
{
	struct hp_strvec urls = HP_STRVEC_INIT;
	struct hp_strbuf text = HP_STRBUF_INIT, last = HP_STRBUF_INIT;
	struct hp_metalink ml;
	struct metalink_check mc = { &ml, c->metalink };
	struct hp_repo_opts ro = *o;
	int ret = -1;

	hp_metalink_init(&ml);
	for (size_t i = 0; i < c->baseurls.nr; i++)
		hp_strvec_push(&urls, c->baseurls.v[i]);
	if (c->metalink) {
		/* Without the metalink nothing can vouch for repomd.xml: its
		 * failure is the repository's, whatever baseurl says. */
		if (read_url(c->metalink, &text, &last) < 0 ||
		    hp_metalink_parse(&ml, text.buf, text.len, c->metalink, &last) < 0) {
			hp_error(err, "repository '%s': %s", c->id, last.buf);
			goto out;
		}
		for (size_t i = 0; i < ml.mirrors.nr; i++)
			hp_strvec_push_nodup(&urls, vars ? hp_dnfvars_subst(vars, ml.mirrors.v[i])
						 : hp_xstrdup(ml.mirrors.v[i]));
		ro.repomd_check = check_against_metalink;
		ro.repomd_check_data = &mc;
	} else if (c->mirrorlist) {
		if (read_url(c->mirrorlist, &text, &last) < 0) {
			if (!urls.nr) {
				hp_error(err, "repository '%s': %s", c->id, last.buf);
				goto out;
			}
		} else {
			parse_mirrorlist(text.buf, vars, &urls);
		}
	}
	if (!urls.nr) {
		hp_error(err, "repository '%s': no baseurl, mirrorlist or metalink to read it from%s",
			 c->id, c->mirrorlist ? " (the mirrorlist is empty)" : "");
		goto out;
	}
	for (size_t i = 0; i < urls.nr; i++) {
		hp_strbuf_reset(&last);
		if (hp_url_has_vars(urls.v[i])) {
			hp_error(&last, "'%s': a dnf variable in it has no value (releasever: give "
				 "--releasever or install the package providing "
				 "system-release(releasever))", urls.v[i]);
			continue;
		}
		if (!hp_repo_load(r, c->id, urls.v[i], &ro, c->repo_gpgcheck, &last)) {
			ret = 0;
			goto out;
		}
	}
	if (urls.nr == 1)
		hp_error(err, "repository '%s': %s", c->id, last.buf);
	else
		hp_error(err, "repository '%s': none of its %zu sources could be read; the last: %s",
			 c->id, urls.nr, last.buf);
out:
	hp_metalink_release(&ml);
	hp_strbuf_release(&last);
	hp_strbuf_release(&text);
	hp_strvec_release(&urls);
	return ret;
}

/* --- includepkgs / excludepkgs --- */

static int matches_any(const struct hp_strvec *pats, const struct hp_hotpatch *h)
{
	const char *arch = h->arch ? h->arch : "";
	char *evr = hp_hotpatch_evr(h);
	/* the EVR with its epoch always spelled out ("0:" when none) */
	char *eevr = hp_xasprintf("%s:%s-%s", h->epoch && *h->epoch ? h->epoch : "0",
				  h->version ? h->version : "", h->release ? h->release : "");
	char *forms[6];
	int hit = 0;

	forms[0] = hp_xstrdup(h->name);
	forms[1] = hp_xasprintf("%s.%s", h->name, arch);
	forms[2] = hp_xasprintf("%s-%s", h->name, evr);
	forms[3] = hp_xasprintf("%s-%s.%s", h->name, evr, arch);
	forms[4] = hp_xasprintf("%s-%s", h->name, eevr);
	forms[5] = hp_xasprintf("%s-%s.%s", h->name, eevr, arch);
	for (size_t i = 0; i < pats->nr && !hit; i++)
		for (size_t k = 0; k < 6 && !hit; k++)
			hit = !fnmatch(pats->v[i], forms[k], 0);
	for (size_t k = 0; k < 6; k++)
		free(forms[k]);
	free(eevr);
	free(evr);
	return hit;
}

static int offered(const struct hp_hotpatch *h, const struct hp_repo_conf *c,
		   const struct hp_dnf_main *m)
{
	if (c->includepkgs.nr && !matches_any(&c->includepkgs, h))
		return 0;
	if (m && m->includepkgs.nr && !matches_any(&m->includepkgs, h))
		return 0;
	if (matches_any(&c->excludepkgs, h))
		return 0;
	return !(m && matches_any(&m->excludepkgs, h));
}

size_t hp_repo_filter_pkgs(struct hp_repo *r, const struct hp_repo_conf *c,
			   const struct hp_dnf_main *m)
{
	struct hp_meta *meta = &r->meta;
	size_t kept = 0, dropped = 0;

	if (!r->has_meta)
		return 0;
	for (size_t i = 0; i < meta->nr_hotpatches; i++) {
		if (offered(&meta->hotpatches[i], c, m)) {
			meta->hotpatches[kept++] = meta->hotpatches[i];
			continue;
		}
		hp_hotpatch_release(&meta->hotpatches[i]);
		dropped++;
	}
	meta->nr_hotpatches = kept;
	return dropped;
}
