/* Exec engines: user-space live patchers (libpulp's ulp, libcareplus,
 * syscare ...) driven by commands from a LOCAL root-owned file,
 * <exec_conf_dir>/NAME.conf:
 *
 *   # comments and blank lines are ignored
 *   apply   = /usr/bin/ulp trigger {payload}      required
 *   revert  = /usr/bin/ulp trigger --revert {payload}   required
 *   list    = /usr/bin/ulp-list-names             optional: stdout lines = live names
 *   is_live = /usr/bin/ulp-check {package}        optional: exit 0 = live
 *   timeout = 60                                  seconds per command
 *
 * Values are argv templates split on blanks; no shell ever runs them, the
 * program must be an absolute path, and the placeholders {payload}
 * {package} {component} {build} are substituted inside arguments.
 * Repository metadata only selects NAME (checked as [a-z0-9_-]+ by
 * hp_engine_get); the commands come from this file alone, which is refused
 * unless root owns it and its directory and neither is group/world-writable.
 *
 * The commands run through hp_run_command (lib/run.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_engine.h"

/* An engine file holds a few commands: 64 KiB bounds the read. */
#define CONF_MAX ((size_t)64 << 10)
#include "hp_run.h"

/* --- the exec engine ----------------------------------------------------- */

static const struct hp_engine_ops exec_ops;

struct exec_conf {
	char *path;
	struct hp_strvec apply, revert, list, is_live;
	unsigned timeout;
};

static void exec_release(struct hp_engine *e)
{
	struct exec_conf *c = e->priv;

	if (!c)
		return;
	free(c->path);
	hp_strvec_release(&c->apply);
	hp_strvec_release(&c->revert);
	hp_strvec_release(&c->list);
	hp_strvec_release(&c->is_live);
	free(c);
	e->priv = NULL;
}

static const char *const placeholders[] = { "{payload}", "{package}", "{component}", "{build}" };

/* Every "{...}" in `arg` must be a known placeholder. */
static int check_placeholders(const char *arg, const char *path, unsigned line,
			      struct hp_strbuf *err)
{
	for (const char *p = strchr(arg, '{'); p; p = strchr(p + 1, '{')) {
		const char *q = strchr(p, '}');
		int ok = 0;

		for (size_t i = 0; q && i < sizeof(placeholders) / sizeof(*placeholders); i++)
			if ((size_t)(q - p + 1) == strlen(placeholders[i]) &&
			    !strncmp(p, placeholders[i], strlen(placeholders[i])))
				ok = 1;
		if (!ok)
			return hp_error(err, "%s:%u: unknown placeholder in '%s' (known: {payload} "
					"{package} {component} {build})", path, line, arg);
	}
	return 0;
}

static int parse_conf(struct exec_conf *c, const char *text, struct hp_strbuf *err)
{
	char *copy = hp_xstrdup(text);
	unsigned line = 0;
	int ret = -1;

	for (char *l = copy, *next; l; l = next) {
		char *eq, *key, *val, *k_end, *tok, *tsave = NULL;
		struct hp_strvec *cmd = NULL;

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		line++;
		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l || *l == '#')
			continue;
		eq = strchr(l, '=');
		if (!eq) {
			hp_error(err, "%s:%u: expected 'key = value'", c->path, line);
			goto out;
		}
		key = l;
		k_end = eq;
		while (k_end > key && (k_end[-1] == ' ' || k_end[-1] == '\t'))
			k_end--;
		*k_end = '\0';
		val = eq + 1;
		if (!strcmp(key, "apply"))
			cmd = &c->apply;
		else if (!strcmp(key, "revert"))
			cmd = &c->revert;
		else if (!strcmp(key, "list"))
			cmd = &c->list;
		else if (!strcmp(key, "is_live"))
			cmd = &c->is_live;
		else if (!strcmp(key, "timeout")) {
			char *end;
			unsigned long t = strtoul(val, &end, 10);
			while (*end == ' ' || *end == '\t' || *end == '\r')
				end++;
			if (end == val || *end || !t || t > 86400) {
				hp_error(err, "%s:%u: timeout must be 1..86400 seconds", c->path, line);
				goto out;
			}
			c->timeout = (unsigned)t;
			continue;
		} else {
			hp_error(err, "%s:%u: unknown key '%s'", c->path, line, key);
			goto out;
		}
		if (cmd->nr) {
			hp_error(err, "%s:%u: '%s' given twice", c->path, line, key);
			goto out;
		}
		for (tok = strtok_r(val, " \t\r", &tsave); tok; tok = strtok_r(NULL, " \t\r", &tsave)) {
			if (check_placeholders(tok, c->path, line, err))
				goto out;
			hp_strvec_push(cmd, tok);
		}
		if (!cmd->nr || cmd->v[0][0] != '/') {
			hp_error(err, "%s:%u: '%s' must start with an absolute program path",
				 c->path, line, key);
			goto out;
		}
		if (strchr(cmd->v[0], '{')) {
			hp_error(err, "%s:%u: the program of '%s' cannot be a placeholder",
				 c->path, line, key);
			goto out;
		}
	}
	if (!c->apply.nr || !c->revert.nr) {
		hp_error(err, "%s: 'apply' and 'revert' are required", c->path);
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

/* Root owns it and nobody else may write it: the commands run as root. */
static int check_owner(const char *what, const char *path, const struct stat *st,
		       struct hp_strbuf *err)
{
	if (st->st_uid != 0)
		return hp_error(err, "%s '%s' is not owned by root (uid %u); refusing it", what,
				path, (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return hp_error(err, "%s '%s' is group- or world-writable (mode %04o); refusing it",
				what, path, (unsigned)(st->st_mode & 07777));
	return 0;
}

/* Directory `dir` (resolved) and every directory above it are root's and
 * nobody else may swap entries in them: not group- or world-writable unless
 * sticky, as sudo and systemd check (issue 11: a world-writable parent let a
 * local user replace the program before execve). `path` names the file the
 * check is for. */
static int check_dir_chain(const char *what, const char *path, const char *dir,
			   struct hp_strbuf *err)
{
	char *real = realpath(dir, NULL), *slash;
	int ret = -1;

	if (!real)
		return hp_error_errno(err, errno, "cannot resolve %s '%s'", what, dir);
	for (;;) {
		struct stat st;

		if (stat(real, &st) < 0) {
			hp_error_errno(err, errno, "cannot stat '%s'", real);
			goto out;
		}
		if (st.st_uid != 0) {
			hp_error(err, "%s '%s': directory '%s' is not owned by root (uid %u); "
				 "refusing it", what, path, real, (unsigned)st.st_uid);
			goto out;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
			hp_error(err, "%s '%s': directory '%s' is group- or world-writable "
				 "(mode %04o); refusing it", what, path, real,
				 (unsigned)(st.st_mode & 07777));
			goto out;
		}
		slash = strrchr(real, '/');
		if (!slash || !strcmp(real, "/"))
			break;
		slash[slash == real] = '\0';
	}
	ret = 0;
out:
	free(real);
	return ret;
}

/* check_dir_chain for the directory holding `file`. */
static int check_parent_chain(const char *what, const char *file, struct hp_strbuf *err)
{
	char *dir = hp_xstrdup(file), *slash = strrchr(dir, '/');
	int ret;

	if (slash)
		slash[slash == dir] = '\0';
	ret = check_dir_chain(what, file, slash ? dir : ".", err);
	free(dir);
	return ret;
}

int hp_exec_engine_init(struct hp_engine *e, struct hp_strbuf *err)
{
	struct exec_conf *c = hp_xcalloc(1, sizeof(*c));
	struct hp_strbuf text = HP_STRBUF_INIT;
	struct stat st;
	int fd = -1, ret = -1;
	char buf[4096];
	ssize_t n;

	/* Set first so that hp_engine_free releases `c` on any failure. */
	e->ops = &exec_ops;
	e->priv = c;
	c->path = hp_xasprintf("%s/%s.conf", e->exec_conf_dir, e->name);
	if (stat(e->exec_conf_dir, &st) < 0) {
		hp_error_errno(err, errno, "unknown engine '%s': cannot open '%s'", e->name,
			       e->exec_conf_dir);
		goto out;
	}
	if (check_owner("exec engine directory", e->exec_conf_dir, &st, err) ||
	    check_dir_chain("exec engine directory", e->exec_conf_dir, e->exec_conf_dir, err))
		goto out;
	/* O_NOFOLLOW: the file itself, not a link planted elsewhere. */
	fd = open(c->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			hp_error(err, "unknown engine '%s': no '%s'", e->name, c->path);
		else
			hp_error_errno(err, errno, "cannot open '%s'", c->path);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		hp_error_errno(err, errno, "cannot stat '%s'", c->path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		hp_error(err, "exec engine file '%s' is not a regular file; refusing it", c->path);
		goto out;
	}
	if (check_owner("exec engine file", c->path, &st, err))
		goto out;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			hp_error_errno(err, errno, "cannot read '%s'", c->path);
			goto out;
		}
		/* A few commands: 64 KiB is plenty, and bounds the read. */
		if (text.len + (size_t)n > CONF_MAX) {
			hp_error(err, "exec engine file '%s' is larger than %zu KiB; refusing it",
				 c->path, CONF_MAX >> 10);
			goto out;
		}
		hp_strbuf_add(&text, buf, (size_t)n);
	}
	if (parse_conf(c, text.buf, err))
		goto out;
	if (!c->timeout)
		c->timeout = e->transition_timeout;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	hp_strbuf_release(&text);
	return ret;
}

static int check_program(const char *prog, struct hp_strbuf *err)
{
	struct stat st;

	if (stat(prog, &st) < 0)
		return hp_error_errno(err, errno, "cannot find '%s'", prog);
	if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR))
		return hp_error(err, "'%s' is not an executable file", prog);
	if (check_owner("program", prog, &st, err))
		return -1;
	/* The link's directories and the target's (a symlink resolved). */
	{
		char *real = realpath(prog, NULL);
		int r = check_parent_chain("program", prog, err);

		if (!r && real && strcmp(real, prog))
			r = check_parent_chain("program", real, err);
		free(real);
		return r;
	}
}

static int exec_probe(struct hp_engine *e, struct hp_strbuf *err)
{
	struct exec_conf *c = e->priv;
	const struct hp_strvec *cmds[] = { &c->apply, &c->revert, &c->list, &c->is_live };
	int ret = 0;

	for (size_t i = 0; i < 4; i++)
		if (cmds[i]->nr && check_program(cmds[i]->v[0], err))
			ret = -1;
	if (ret)
		hp_error(err, "exec engine '%s' (%s) is not usable", e->name, c->path);
	return ret;
}

/* Builds the argv of `tmpl` for `it` into `argv`. */
static int expand(struct hp_engine *e, const struct hp_strvec *tmpl,
		  const struct hp_engine_item *it, struct hp_strvec *argv, struct hp_strbuf *err)
{
	char *payload = NULL;
	int ret = -1;

	for (size_t i = 0; i < tmpl->nr; i++) {
		struct hp_strbuf a = HP_STRBUF_INIT;
		const char *s = tmpl->v[i];

		while (*s) {
			const char *val = NULL;
			size_t plen = 0;

			if (*s == '{') {
				for (size_t k = 0; k < sizeof(placeholders) / sizeof(*placeholders); k++)
					if (!strncmp(s, placeholders[k], strlen(placeholders[k])))
						plen = strlen(placeholders[k]);
			}
			if (!plen) {
				hp_strbuf_add(&a, s++, 1);
				continue;
			}
			if (!strncmp(s, "{payload}", plen)) {
				if (!payload)
					payload = hp_engine_payload_path(e, it, err);
				val = payload;
			} else if (!strncmp(s, "{package}", plen)) {
				val = it->package;
			} else if (!strncmp(s, "{component}", plen)) {
				val = it->component;
			} else {
				val = it->build;
			}
			if (!val) {
				if (strncmp(s, "{payload}", plen))
					hp_error(err, "exec engine '%s': %.*s is not known for '%s'",
						 e->name, (int)plen, s,
						 it->package ? it->package : "hotpatch");
				hp_strbuf_release(&a);
				goto out;
			}
			hp_strbuf_adds(&a, val);
			s += plen;
		}
		hp_strvec_push_nodup(argv, hp_strbuf_detach(&a));
	}
	ret = 0;
out:
	free(payload);
	return ret;
}

/* Runs command `tmpl` for `it`; returns its exit status or -1. */
static int run_cmd(struct hp_engine *e, const struct hp_strvec *tmpl,
		   const struct hp_engine_item *it, struct hp_strbuf *out, struct hp_strbuf *err)
{
	struct exec_conf *c = e->priv;
	struct hp_strvec argv = HP_STRVEC_INIT;
	int ret = -1;

	if (expand(e, tmpl, it, &argv, err) == 0)
		ret = hp_run_command((const char *const *)argv.v, c->timeout, out, err);
	hp_strvec_release(&argv);
	return ret;
}

static int exec_list_live(struct hp_engine *e, struct hp_live_patch **out, size_t *nr,
			  struct hp_strbuf *err)
{
	struct exec_conf *c = e->priv;
	struct hp_strbuf sb = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
	struct hp_engine_item none = { 0 };
	struct hp_live_patch *v = NULL;
	size_t n = 0, alloc = 0;
	int ret = -1;

	if (!c->list.nr)
		return hp_error(err, "exec engine '%s': no 'list' command in '%s'", e->name, c->path);
	if (run_cmd(e, &c->list, &none, &sb, &tmp) != 0) {
		hp_error(err, "exec engine '%s': list failed: %s", e->name, tmp.buf);
		goto out;
	}
	for (char *l = sb.buf, *next; l && *l; l = next) {
		char *end;
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		while (*l == ' ' || *l == '\t')
			l++;
		end = l + strlen(l);
		while (end > l && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			*--end = '\0';
		if (!*l)
			continue;
		HP_ALLOC_GROW(v, n + 1, alloc);
		memset(&v[n], 0, sizeof(v[n]));
		v[n].name = hp_xstrdup(l);
		v[n].enabled = 1;
		n++;
	}
	*out = v;
	*nr = n;
	v = NULL;
	ret = 0;
out:
	hp_live_patches_free(v, n);
	hp_strbuf_release(&sb);
	hp_strbuf_release(&tmp);
	return ret;
}

static int exec_is_live(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	struct exec_conf *c = e->priv;
	struct hp_strbuf tmp = HP_STRBUF_INIT;
	struct hp_live_patch *v = NULL;
	size_t nr = 0;
	char *name = NULL;
	int r, ret = -1;

	if (c->is_live.nr) {
		r = run_cmd(e, &c->is_live, it, NULL, &tmp);
		if (r < 0)
			hp_error(err, "exec engine '%s': is_live failed: %s", e->name, tmp.buf);
		else
			ret = r == 0;
		goto out;
	}
	if (!c->list.nr) {
		hp_error(err, "exec engine '%s': neither 'is_live' nor 'list' in '%s': cannot "
			 "tell what is live", e->name, c->path);
		goto out;
	}
	name = hp_engine_live_name(e, it, err);
	if (!name || exec_list_live(e, &v, &nr, err))
		goto out;
	ret = 0;
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(v[i].name, name))
			ret = 1;
out:
	hp_live_patches_free(v, nr);
	hp_strbuf_release(&tmp);
	free(name);
	return ret;
}

static int exec_revert(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	struct exec_conf *c = e->priv;
	struct hp_strbuf tmp = HP_STRBUF_INIT;
	int ret = 0;

	if (run_cmd(e, &c->revert, it, NULL, &tmp) != 0)
		ret = hp_error(err, "exec engine '%s': revert of %s failed: %s", e->name,
			       it->package ? it->package : "hotpatch", tmp.buf);
	hp_strbuf_release(&tmp);
	return ret;
}

static int exec_apply(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	struct exec_conf *c = e->priv;
	struct hp_strbuf tmp = HP_STRBUF_INIT;
	char *path = NULL;
	int r, ret = -1;

	path = hp_engine_payload_path(e, it, err);
	if (!path || hp_engine_check_sha256(path, it, err))
		goto out;
	r = run_cmd(e, &c->apply, it, NULL, &tmp);
	if (r != 0) {
		hp_error(err, "exec engine '%s': apply of %s failed: %s", e->name,
			 it->package ? it->package : "hotpatch", tmp.buf);
		goto reverse;
	}
	/* Trust the engine's own report over the exit status when it has one. */
	if (c->is_live.nr || c->list.nr) {
		hp_strbuf_reset(&tmp);
		r = exec_is_live(e, it, &tmp);
		if (r != 1) {
			hp_error(err, "exec engine '%s': apply of %s exited 0 but it is not live%s%s",
				 e->name, it->package ? it->package : "hotpatch",
				 r < 0 ? ": " : "", r < 0 ? tmp.buf : "");
			goto reverse;
		}
	}
	ret = 0;
	goto out;
reverse:
	/* Undo whatever part of the apply took effect; revert of a patch that
	 * is not live must be harmless for a well-behaved engine. */
	hp_strbuf_reset(&tmp);
	if (exec_revert(e, it, &tmp))
		hp_error_lines(err, NULL, tmp.buf);
	else
		hp_error(err, "exec engine '%s': %s reverted", e->name,
			 it->package ? it->package : "hotpatch");
out:
	hp_strbuf_release(&tmp);
	free(path);
	return ret;
}

static const struct hp_engine_ops exec_ops = {
	.name = "exec",
	.probe = exec_probe,
	.apply = exec_apply,
	.revert = exec_revert,
	.list_live = exec_list_live,
	.is_live = exec_is_live,
	.release = exec_release,
};

