/* dnf's repository configuration as the client reads it (dnf.conf [main]
 * defaults and yum.repos.d/ *.repo sections); see hp_repo.h. */
#include "hp_repo.h"

#include "hp_dnfconf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct conf_ctx {
	const char *root;
	struct hp_repo_conf *v;
	size_t nr, alloc;
	int main_gpgcheck, main_repo_gpgcheck;   /* -1 = not set */
	struct hp_dnf_main *main;                /* [main] keys of issue 12 */
};

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int parse_bool(const char *file, const char *section, const char *key, const char *v,
		      int *out, struct hp_strbuf *err)
{
	if (!strcasecmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
	    !strcasecmp(v, "on")) {
		*out = 1;
		return 0;
	}
	if (!strcasecmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "false") ||
	    !strcasecmp(v, "off")) {
		*out = 0;
		return 0;
	}
	return hp_error(err, "'%s': [%s] %s: invalid boolean '%s'", file, section, key, v);
}

/* The local path of a file:// key under the installroot; other URLs as given. */
static char *key_path(const char *root, const char *k)
{
	if (!strncmp(k, "file://", 7)) {
		k += 7;
		if (root && strcmp(root, "/"))
			return hp_path_join(root, k);
		return hp_xstrdup(k);
	}
	return hp_xstrdup(k);
}

static int set_repo_key(struct conf_ctx *c, struct hp_repo_conf *rc, const char *file,
			const char *key, char *val, struct hp_strbuf *err)
{
	if (!strcmp(key, "name")) {
		free(rc->name);
		rc->name = hp_xstrdup(val);
	} else if (!strcmp(key, "baseurl")) {
		/* A list (commas, spaces, lines), tried in order. */
		size_t n = strcspn(val, ", \t\n");

		free(rc->baseurl);
		rc->baseurl = n ? hp_xstrndup(val, n) : NULL;
		hp_conf_split_list(&rc->baseurls, val);
	} else if (!strcmp(key, "skip_if_unavailable")) {
		return parse_bool(file, rc->id, key, val, &rc->skip_if_unavailable, err);
	} else if (!strcmp(key, "enabled")) {
		return parse_bool(file, rc->id, key, val, &rc->enabled, err);
	} else if (!strcmp(key, "gpgcheck")) {
		return parse_bool(file, rc->id, key, val, &rc->gpgcheck, err);
	} else if (!strcmp(key, "repo_gpgcheck")) {
		return parse_bool(file, rc->id, key, val, &rc->repo_gpgcheck, err);
	} else if (!strcmp(key, "gpgkey")) {
		hp_strvec_release(&rc->gpgkeys);
		for (char *tok = strtok(val, ", \t\n"); tok; tok = strtok(NULL, ", \t\n"))
			hp_strvec_push_nodup(&rc->gpgkeys, key_path(c->root, tok));
	} else {
		hp_repo_conf_set_more(rc, key, val);
	}
	return 0;
}

static int set_main_key(struct conf_ctx *c, const char *file, const char *key, const char *val,
			struct hp_strbuf *err)
{
	if (!strcmp(key, "gpgcheck"))
		return parse_bool(file, "main", key, val, &c->main_gpgcheck, err);
	if (!strcmp(key, "repo_gpgcheck"))
		return parse_bool(file, "main", key, val, &c->main_repo_gpgcheck, err);
	if (!strcmp(key, "skip_if_unavailable"))
		return parse_bool(file, "main", key, val, &c->main->skip_if_unavailable, err);
	hp_dnf_main_set(c->main, key, val);
	return 0;
}

static void conf_release(struct hp_repo_conf *rc)
{
	free(rc->id);
	free(rc->name);
	free(rc->baseurl);
	free(rc->file);
	hp_strvec_release(&rc->gpgkeys);
	hp_repo_conf_release_more(rc);
}

/* Applies one finished "key = value" of `section` (NULL before any). */
static int conf_apply(struct conf_ctx *c, const char *file, int in_main, struct hp_repo_conf *rc,
		      const char *key, struct hp_strbuf *val, struct hp_strbuf *err)
{
	char *v = trim(val->buf);

	if (in_main)
		return set_main_key(c, file, key, v, err);
	if (rc)
		return set_repo_key(c, rc, file, key, v, err);
	return 0;
}

static int parse_ini(struct conf_ctx *c, const char *file, struct hp_strbuf *err)
{
	struct hp_strbuf text = HP_STRBUF_INIT, val = HP_STRBUF_INIT;
	struct hp_repo_conf *rc = NULL;   /* index into c->v by `cur` */
	char *key = NULL, *line, *next;
	long cur = -1;
	int in_main = 0, skip = 0, ret = -1;
	struct stat st;

	if (stat(file, &st) < 0 && errno == ENOENT)
		return 0;
	if (hp_read_file(file, &text, err) < 0)
		goto out;
	for (line = text.buf; line && *line; line = next) {
		char *s, *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* An indented line continues the previous value (gpgkey lists). */
		if (key && (line[0] == ' ' || line[0] == '\t') && *trim(line)) {
			hp_strbuf_addf(&val, " %s", trim(line));
			continue;
		}
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (key) {
			rc = cur >= 0 && !skip ? &c->v[cur] : NULL;
			if (conf_apply(c, file, in_main, rc, key, &val, err) < 0)
				goto out;
			free(key);
			key = NULL;
		}
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (!end) {
				hp_error(err, "'%s': malformed section header '%s'", file, s);
				goto out;
			}
			*end = '\0';
			s = trim(s + 1);
			in_main = !strcmp(s, "main");
			skip = 0;
			cur = -1;
			if (in_main)
				continue;
			/* dnf keeps the first definition of a repo id. */
			for (size_t i = 0; i < c->nr; i++)
				if (!strcmp(c->v[i].id, s))
					skip = 1;
			if (skip)
				continue;
			HP_ALLOC_GROW(c->v, c->nr + 1, c->alloc);
			rc = &c->v[c->nr];
			memset(rc, 0, sizeof(*rc));
			rc->id = hp_xstrdup(s);
			rc->file = hp_xstrdup(file);
			rc->enabled = 1;
			rc->gpgcheck = -1;
			rc->repo_gpgcheck = -1;
			hp_strvec_init(&rc->gpgkeys);
			hp_repo_conf_init_more(rc);
			cur = (long)c->nr++;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			hp_error(err, "'%s': malformed line '%s' (expected key=value)", file, s);
			goto out;
		}
		*eq = '\0';
		key = hp_xstrdup(trim(s));
		hp_strbuf_reset(&val);
		hp_strbuf_adds(&val, trim(eq + 1));
	}
	if (key) {
		rc = cur >= 0 && !skip ? &c->v[cur] : NULL;
		if (conf_apply(c, file, in_main, rc, key, &val, err) < 0)
			goto out;
	}
	ret = 0;
out:
	free(key);
	hp_strbuf_release(&val);
	hp_strbuf_release(&text);
	return ret;
}

static int is_repo_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && d->d_name[0] != '.' && !strcmp(d->d_name + n - 5, ".repo");
}

int hp_repo_conf_list(const char *root, struct hp_repo_conf **out, size_t *nr,
		      struct hp_strbuf *err)
{
	struct hp_dnf_main m;
	int ret;

	hp_dnf_main_init(&m);
	ret = hp_dnf_conf_read(root, &m, out, nr, err);
	hp_dnf_main_release(&m);
	return ret;
}

int hp_dnf_conf_read(const char *root, struct hp_dnf_main *main, struct hp_repo_conf **out,
		     size_t *nr, struct hp_strbuf *err)
{
	struct conf_ctx c = { root, NULL, 0, 0, -1, -1, main };
	const char *r = root && *root ? root : "/";
	char *dnf_conf = hp_path_join(r, "etc/dnf/dnf.conf");
	char *repos_d = hp_path_join(r, "etc/yum.repos.d");
	struct dirent **names = NULL;
	int n = 0, ret = -1;

	*out = NULL;
	*nr = 0;
	if (parse_ini(&c, dnf_conf, err) < 0)
		goto out;
	n = scandir(repos_d, &names, is_repo_file, alphasort);
	if (n < 0) {
		n = 0;
		if (errno != ENOENT && errno != ENOTDIR) {
			hp_error_errno(err, errno, "cannot read '%s'", repos_d);
			goto out;
		}
	}
	for (int i = 0; i < n; i++) {
		char *file = hp_path_join(repos_d, names[i]->d_name);
		int rc = parse_ini(&c, file, err);

		free(file);
		if (rc < 0)
			goto out;
	}
	/* [main] gives the defaults, as in dnf; without it gpgcheck is on
	 * and repo_gpgcheck off (dnf's built-in defaults). */
	for (size_t i = 0; i < c.nr; i++) {
		if (c.v[i].gpgcheck < 0)
			c.v[i].gpgcheck = c.main_gpgcheck >= 0 ? c.main_gpgcheck : 1;
		if (c.v[i].repo_gpgcheck < 0)
			c.v[i].repo_gpgcheck = c.main_repo_gpgcheck >= 0 ? c.main_repo_gpgcheck : 0;
		hp_repo_conf_apply_main(&c.v[i], main);
	}
	*out = c.v;
	*nr = c.nr;
	c.v = NULL;
	c.nr = 0;
	ret = 0;
out:
	hp_repo_conf_free(c.v, c.nr);
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(repos_d);
	free(dnf_conf);
	return ret;
}

void hp_repo_conf_free(struct hp_repo_conf *confs, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		conf_release(&confs[i]);
	free(confs);
}
