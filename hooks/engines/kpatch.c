/* The kpatch engine: drives the kpatch CLI (kpatch load / unload / list),
 * which itself waits for the livepatch transition. Run with fork/execve and
 * a fixed environment (hp_run_command), never a shell. The module identity
 * (sha256, vermagic) is checked here before kpatch sees the file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_engine.h"
#include "hp_run.h"

/* The kpatch program: the configured path, else the first "kpatch" in
 * $PATH that is an executable file. Returns malloc'd path or NULL. */
static char *find_kpatch(struct hp_engine *e)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (e->kpatch_path)
		return access(e->kpatch_path, X_OK) == 0 ? hp_xstrdup(e->kpatch_path) : NULL;
	copy = hp_xstrdup(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		struct stat st;
		char *p;

		if (*d != '/') /* relative PATH entries are not trusted by a root tool */
			continue;
		p = hp_path_join(d, "kpatch");
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

static int kpatch_probe(struct hp_engine *e, struct hp_strbuf *err)
{
	char *p = find_kpatch(e);

	if (!p)
		return hp_error(err, "kpatch engine: '%s' not found in PATH",
				e->kpatch_path ? e->kpatch_path : "kpatch");
	free(p);
	return 0;
}

/* Runs "kpatch ARGS..."; returns its exit status or -1. */
static int run_kpatch(struct hp_engine *e, const char *a1, const char *a2, struct hp_strbuf *out,
		      struct hp_strbuf *err)
{
	char *prog = find_kpatch(e);
	const char *argv[4] = { prog, a1, a2, NULL };
	int r;

	if (!prog)
		return hp_error(err, "kpatch engine: 'kpatch' not found in PATH");
	r = hp_run_command(argv, e->transition_timeout * 2 + 30, out, err);
	free(prog);
	return r;
}

/* `kpatch list` prints "Loaded patch modules:" then "name [enabled]" lines
 * up to a blank line, then "Installed patch modules:" (which we ignore:
 * installed is not live). */
static int kpatch_list_live(struct hp_engine *e, struct hp_live_patch **out, size_t *nr,
			    struct hp_strbuf *err)
{
	struct hp_strbuf sb = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
	struct hp_live_patch *v = NULL;
	size_t n = 0, alloc = 0;
	int in_loaded = 0, ret = -1;

	if (run_kpatch(e, "list", NULL, &sb, &tmp) != 0) {
		hp_error(err, "kpatch engine: 'kpatch list' failed: %s", tmp.buf);
		goto out;
	}
	for (char *l = sb.buf, *next; l && *l; l = next) {
		char *sp;
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(l, "Loaded patch modules:", 21)) {
			in_loaded = 1;
			continue;
		}
		if (!*l || strchr(l, ':'))
			in_loaded = 0;
		if (!in_loaded || !*l)
			continue;
		sp = strchr(l, ' ');
		HP_ALLOC_GROW(v, n + 1, alloc);
		memset(&v[n], 0, sizeof(v[n]));
		v[n].name = sp ? hp_xstrndup(l, (size_t)(sp - l)) : hp_xstrdup(l);
		v[n].enabled = sp ? strstr(sp, "[enabled]") != NULL : 1;
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

static int kpatch_is_live(struct hp_engine *e, const struct hp_engine_item *it,
			  struct hp_strbuf *err)
{
	struct hp_live_patch *v = NULL;
	size_t nr = 0;
	char *name = hp_engine_live_name(e, it, err);
	int ret = -1;

	if (!name || kpatch_list_live(e, &v, &nr, err))
		goto out;
	ret = 0;
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(v[i].name, name) && v[i].enabled)
			ret = 1;
out:
	hp_live_patches_free(v, nr);
	free(name);
	return ret;
}

static int kpatch_revert(struct hp_engine *e, const struct hp_engine_item *it,
			 struct hp_strbuf *err)
{
	struct hp_strbuf tmp = HP_STRBUF_INIT;
	char *name = hp_engine_live_name(e, it, err);
	int ret = -1, r;

	if (!name)
		goto out;
	r = kpatch_is_live(e, it, err);
	if (r < 0)
		goto out;
	if (r == 0) { /* not live: nothing to do */
		ret = 0;
		goto out;
	}
	if (run_kpatch(e, "unload", name, NULL, &tmp) != 0) {
		hp_error(err, "kpatch engine: 'kpatch unload %s' failed: %s", name, tmp.buf);
		goto out;
	}
	ret = 0;
out:
	hp_strbuf_release(&tmp);
	free(name);
	return ret;
}

static int kpatch_apply(struct hp_engine *e, const struct hp_engine_item *it,
			struct hp_strbuf *err)
{
	struct hp_ko_info ki = { 0 };
	struct hp_strbuf tmp = HP_STRBUF_INIT;
	char *path = NULL;
	size_t klen;
	int ret = -1, r;

	path = hp_engine_payload_path(e, it, err);
	if (!path || hp_engine_check_sha256(path, it, err) || hp_ko_info_read(path, &ki, err))
		goto out;
	klen = e->kernel_release ? strlen(e->kernel_release) : 0;
	if (!ki.name || !ki.vermagic || !klen || strncmp(ki.vermagic, e->kernel_release, klen) ||
	    (ki.vermagic[klen] && ki.vermagic[klen] != ' ')) {
		hp_error(err, "'%s': module name '%s', vermagic '%s': not a module for the running "
			 "kernel '%s'", path, ki.name ? ki.name : "", ki.vermagic ? ki.vermagic : "",
			 e->kernel_release ? e->kernel_release : "?");
		goto out;
	}
	if (run_kpatch(e, "load", path, NULL, &tmp) != 0) {
		hp_error(err, "kpatch engine: 'kpatch load %s' failed: %s", path, tmp.buf);
		goto reverse;
	}
	hp_strbuf_reset(&tmp);
	r = kpatch_is_live(e, it, &tmp);
	if (r != 1) {
		hp_error(err, "kpatch engine: %s loaded but not enabled%s%s", ki.name,
			 r < 0 ? ": " : "", r < 0 ? tmp.buf : "");
		goto reverse;
	}
	ret = 0;
	goto out;
reverse:
	/* kpatch may leave the module loaded after a failed transition. */
	hp_strbuf_reset(&tmp);
	if (kpatch_is_live(e, it, &tmp) == 1 && run_kpatch(e, "unload", ki.name, NULL, &tmp) != 0)
		hp_error(err, "kpatch engine: cannot unload %s after the failure: %s", ki.name,
			 tmp.buf);
out:
	hp_strbuf_release(&tmp);
	hp_ko_info_release(&ki);
	free(path);
	return ret;
}

static const struct hp_engine_ops kpatch_ops = {
	.name = "kpatch",
	.probe = kpatch_probe,
	.apply = kpatch_apply,
	.revert = kpatch_revert,
	.list_live = kpatch_list_live,
	.is_live = kpatch_is_live,
	.release = NULL,
};

int hp_kpatch_engine_init(struct hp_engine *e, struct hp_strbuf *err)
{
	e->ops = &kpatch_ops;
	return 0;
}
