/* The ulp engine: user-space live patches with SUSE's libpulp, through its
 * `ulp` CLI (run with hp_run_command: no shell, fixed environment, timeout).
 *
 * A libpulp patch names its target library by file name and GNU build-id
 * (the `.ulp` section, hp_ulpmeta.h). The processes it concerns are found
 * here, not by ulp: every process whose /proc/PID/maps maps a file of that
 * name whose build-id (read through /proc/PID/map_files, so a replaced or
 * deleted file is still the one mapped) is the patch's. ulp itself skips a
 * process without libpulp.so loaded and still exits 0, and libpulp's own
 * build-id comparison cannot be relied on, so both are checked here and
 * every trigger is confirmed with `ulp check`.
 *
 * live = every process that maps the build has the patch (`ulp check` exit
 * 1 = applied). Apply and revert are all or nothing per hotpatch: a failure
 * in one process undoes the processes already changed. A cumulative update
 * (another patch of the same library live in the process) is applied with
 * `ulp trigger --revert-all=LIB NEW.so`: ulp stops every thread of the
 * process, reverts the old patch and applies the new one before any thread
 * runs again, so no thread ever runs the unpatched library in between. */
#include <ctype.h>
#include <signal.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hp_engine.h"
#include "hp_run.h"
#include "hp_ulpmeta.h"

#define ULP_DEFAULT_PROGRAM "/usr/bin/ulp"
/* Mapped libraries are read for their build-id up to this size. */
#define ULP_LIB_MAX (512u << 20)

/* One process that maps the patch's target build. */
struct ulp_proc {
	int pid;
	char *comm;
	char *mapped;     /* the library as this process maps it (map_files path) */
	int has_libpulp;
	char *prev;       /* another live patch of the library in it (path), or NULL */
	int replaced;     /* apply used --revert-all (prev was replaced) */
	int already;      /* had the patch (apply) or did not (revert) before */
	int done;         /* changed by this run */
};

struct ulp_procs {
	struct ulp_proc *v;
	size_t nr, alloc;
};

static void procs_release(struct ulp_procs *ps)
{
	for (size_t i = 0; i < ps->nr; i++) {
		free(ps->v[i].comm);
		free(ps->v[i].mapped);
		free(ps->v[i].prev);
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

/* The ulp program: $HP_ULP, else /usr/bin/ulp. */
static const char *ulp_program(void)
{
	const char *p = getenv("HP_ULP");

	return p && *p ? p : ULP_DEFAULT_PROGRAM;
}

static int ulp_probe(struct hp_engine *e, struct hp_strbuf *err)
{
	const char *p = ulp_program();
	struct stat st;

	if (*p != '/')
		return hp_error(err, "ulp engine: HP_ULP='%s' is not an absolute path", p);
	if (stat(p, &st) || !S_ISREG(st.st_mode) || access(p, X_OK))
		return hp_error(err, "ulp engine: '%s' not found or not executable (install libpulp's "
				"ulp, or set HP_ULP)", p);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Runs `ulp ARGS...` (at most 5 arguments); returns its exit status or -1. */
static int run_ulp(struct hp_engine *e, const char *a1, const char *a2, const char *a3,
		   const char *a4, const char *a5, struct hp_strbuf *out, struct hp_strbuf *err)
{
	const char *argv[] = { ulp_program(), a1, a2, a3, a4, a5, NULL };

	return hp_run_command(argv, e->transition_timeout, out, err);
}

/* Why ptrace may be refused for `pid`, when it can be told: another
 * tracer (TracerPid in status) or Yama's ptrace_scope 3. */
static void ptrace_obstacle(struct hp_engine *e, int pid, struct hp_strbuf *out)
{
	struct hp_strbuf sb = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
	char *path = hp_xasprintf("%s/%d/status", e->proc_root, pid);
	const char *t;

	if (!hp_read_file(path, &sb, &tmp) && (t = strstr(sb.buf, "\nTracerPid:")) &&
	    atoi(t + 11) > 0)
		hp_strbuf_addf(out, "ptrace refused: already traced by pid %d; ", atoi(t + 11));
	hp_strbuf_reset(&sb);
	if (!hp_read_file("/proc/sys/kernel/yama/ptrace_scope", &sb, &tmp) && atoi(sb.buf) == 3)
		hp_strbuf_adds(out, "ptrace refused: kernel.yama.ptrace_scope = 3; ");
	free(path);
	hp_strbuf_release(&sb);
	hp_strbuf_release(&tmp);
}

/* 1 when the patch is applied in process `p`, 0 when not, -1 with one line
 * naming the process (and, when it can be told, why ptrace was refused). */
static int ulp_check(struct hp_engine *e, const struct ulp_proc *p, const char *payload,
		     struct hp_strbuf *err)
{
	struct hp_strbuf tmp = HP_STRBUF_INIT, why = HP_STRBUF_INIT;
	char pid[16];
	int r;

	snprintf(pid, sizeof(pid), "%d", p->pid);
	r = run_ulp(e, "check", "-p", pid, payload, NULL, NULL, &tmp);
	if (r != 0 && r != 1) {
		ptrace_obstacle(e, p->pid, &why);
		hp_error(err, "ulp engine: %s (pid %d): %s'ulp check' failed: %s", p->comm, p->pid,
			 why.buf, hp_oneline_inplace(tmp.buf));
	}
	hp_strbuf_release(&tmp);
	hp_strbuf_release(&why);
	return r == 0 || r == 1 ? r : -1;
}

/* `ulp trigger -p PID [--revert] [--revert-all=LIB] PATCH`, then confirmed
 * with `ulp check` (ulp exits 0 for a process it skipped). */
static int ulp_trigger(struct hp_engine *e, const struct ulp_proc *proc, const char *payload,
		       const char *revert_lib, int revert, struct hp_strbuf *err)
{
	struct hp_strbuf out = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
	char p[16], *all = revert_lib ? hp_xasprintf("--revert-all=%s", revert_lib) : NULL;
	const char *opt = revert ? "--revert" : all;
	int r, ret = -1;

	snprintf(p, sizeof(p), "%d", proc->pid);
	r = run_ulp(e, "trigger", "-p", p, opt ? opt : payload, opt ? payload : NULL, &out, &tmp);
	if (r != 0) {
		/* ulp's line for the process ("  comm (pid: N): FAILED ...: why")
		 * is the first of its stdout; the summary after it says less. */
		char *l = out.buf + strspn(out.buf, " \n");

		l[strcspn(l, "\n")] = '\0';
		hp_error(err, "%s%s%s", tmp.buf, *l ? ": " : "", l);
		goto out;
	}
	r = ulp_check(e, proc, payload, err);
	if (r < 0)
		goto out;
	if (r == revert) {
		/* ulp's own line for the process says why ("FAILED ..."). */
		char *l = hp_oneline(out.buf);
		hp_error(err, "ulp trigger did not %s the patch%s%s", revert ? "revert" : "apply",
			 *l ? ": " : "", l);
		free(l);
		goto out;
	}
	ret = 0;
out:
	free(all);
	hp_strbuf_release(&out);
	hp_strbuf_release(&tmp);
	return ret;
}

/* Reads the payload (below the root), checks its sha256 when given and
 * parses its libpulp metadata. *path: the real path ulp is given. */
static int read_patch(struct hp_engine *e, const struct hp_engine_item *it, int check_sha,
		      char **path, struct hp_ulp_meta *m, struct hp_strbuf *err)
{
	struct hp_strbuf buf = HP_STRBUF_INIT;
	char hex[65];
	int ret = -1;

	*path = hp_engine_payload_path(e, it, err);
	if (!*path || hp_read_file(*path, &buf, err))
		goto out;
	if (check_sha && it->payload_sha256) {
		hp_sha256_hex(buf.buf, buf.len, hex);
		if (strcasecmp(hex, it->payload_sha256)) {
			hp_error(err, "'%s': sha256 %s does not match the expected %s", *path, hex,
				 it->payload_sha256);
			goto out;
		}
	}
	if (hp_ulp_meta_parse(m, buf.buf, buf.len, *path, err))
		goto out;
	ret = 0;
out:
	hp_strbuf_release(&buf);
	return ret;
}

/* The build-id of the file mapped at `range` in process `pid` (through
 * map_files: the file as mapped, even when replaced or deleted since),
 * else of `path`; 0 or -1. */
static int mapped_build_id(struct hp_engine *e, const char *pid, const char *range,
			   const char *path, char hex[HP_BUILD_ID_HEX])
{
	struct hp_strbuf buf = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
	char *mf = hp_xasprintf("%s/%s/map_files/%s", e->proc_root, pid, range);
	struct stat st;
	int ret = -1;

	if (stat(mf, &st) || st.st_size > ULP_LIB_MAX || hp_read_file(mf, &buf, &tmp)) {
		hp_strbuf_reset(&buf);   /* a read may fail halfway */
		if (stat(path, &st) || st.st_size > ULP_LIB_MAX || hp_read_file(path, &buf, &tmp))
			goto out;
	}
	ret = hp_elf_build_id(buf.buf, buf.len, path, hex, &tmp);
out:
	free(mf);
	hp_strbuf_release(&buf);
	hp_strbuf_release(&tmp);
	return ret;
}

static char *read_comm(struct hp_engine *e, const char *pid)
{
	struct hp_strbuf sb = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
	char *path = hp_xasprintf("%s/%s/comm", e->proc_root, pid);

	if (hp_read_file(path, &sb, &tmp)) {
		hp_strbuf_reset(&sb);
		hp_strbuf_adds(&sb, "?");
	}
	while (sb.len && sb.buf[sb.len - 1] == '\n')
		sb.buf[--sb.len] = '\0';
	free(path);
	hp_strbuf_release(&tmp);
	return hp_strbuf_detach(&sb);
}

static int by_pid(const void *a, const void *b)
{
	const struct ulp_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The path of one maps line ("start-end perms off dev inode path"), or
 * NULL; its address range is copied to `range`. */
static const char *maps_path(char *line, char *range, size_t rlen)
{
	char *sp = strchr(line, ' ');
	char *slash = strchr(line, '/');

	if (!sp || !slash || (size_t)(sp - line) >= rlen)
		return NULL;
	memcpy(range, line, (size_t)(sp - line));
	range[sp - line] = '\0';
	return slash;
}

/* Every process (but this one) that maps a file named m->target whose
 * build-id is m->target_build_id; with m == NULL, every process that has
 * libpulp.so loaded. Processes that exit meanwhile are left out. */
static int scan(struct hp_engine *e, const struct hp_ulp_meta *m, struct ulp_procs *ps,
		struct hp_strbuf *err)
{
	DIR *d = opendir(e->proc_root);
	struct dirent *de;
	char self[16];

	if (!d)
		return hp_error_errno(err, errno, "ulp engine: cannot read '%s'", e->proc_root);
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while ((de = readdir(d))) {
		struct hp_strbuf maps = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
		char *mp, range[64], hex[HP_BUILD_ID_HEX], *mapped = NULL;
		int pulp = 0, match = m == NULL;

		if (!isdigit((unsigned char)de->d_name[0]) || !strcmp(de->d_name, self))
			continue;
		mp = hp_xasprintf("%s/%s/maps", e->proc_root, de->d_name);
		if (hp_read_file(mp, &maps, &tmp)) {
			/* gone meanwhile (a read can fail halfway) */
			free(mp);
			hp_strbuf_release(&maps);
			hp_strbuf_release(&tmp);
			continue;
		}
		for (char *l = maps.buf, *next; l && *l; l = next) {
			const char *path, *b;

			next = strchr(l, '\n');
			if (next)
				*next++ = '\0';
			path = maps_path(l, range, sizeof(range));
			if (!path)
				continue;
			b = base_name(path);
			if (!strncmp(b, "libpulp.so", 10))
				pulp = 1;
			if (!match && m && !strncmp(b, m->target, strlen(m->target)) &&
			    (!b[strlen(m->target)] || !strcmp(b + strlen(m->target), " (deleted)")) &&
			    !mapped_build_id(e, de->d_name, range, path, hex) &&
			    !strcmp(hex, m->target_build_id)) {
				match = 1;
				mapped = hp_xasprintf("%s/%s/map_files/%s", e->proc_root, de->d_name,
						      range);
			}
		}
		if (match && (m || pulp)) {
			struct ulp_proc *p;

			HP_ALLOC_GROW(ps->v, ps->nr + 1, ps->alloc);
			p = &ps->v[ps->nr++];
			memset(p, 0, sizeof(*p));
			p->pid = atoi(de->d_name);
			p->comm = read_comm(e, de->d_name);
			p->has_libpulp = pulp;
			p->mapped = mapped;
			mapped = NULL;
		}
		free(mapped);
		free(mp);
		hp_strbuf_release(&maps);
		hp_strbuf_release(&tmp);
	}
	closedir(d);
	if (ps->nr)
		qsort(ps->v, ps->nr, sizeof(*ps->v), by_pid);
	return 0;
}

/* The live patch names `ulp patches -p PID` lists, each with the library
 * it patches: "    in /usr/lib64/libfoo.so.1:" then
 * "      livepatch: foo_v1.so loaded on ...". Appends "LIB\tNAME" lines. */
static int live_patches(struct hp_engine *e, int pid, struct hp_strvec *out, struct hp_strbuf *err)
{
	struct hp_strbuf sb = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
	char p[16], *lib = NULL;
	int ret = -1;

	snprintf(p, sizeof(p), "%d", pid);
	if (run_ulp(e, "patches", "-p", p, NULL, NULL, &sb, &tmp) != 0) {
		hp_error(err, "'ulp patches -p %d' failed: %s", pid, tmp.buf);
		goto out;
	}
	for (char *l = sb.buf, *next; l && *l; l = next) {
		size_t n;

		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		while (*l == ' ')
			l++;
		n = strlen(l);
		if (!strncmp(l, "in ", 3) && n > 4 && l[n - 1] == ':') {
			free(lib);
			lib = hp_xstrndup(l + 3, n - 4);
			/* "in /path/libpulp.so.0 (version 0.3.17):" */
			lib[strcspn(lib, " ")] = '\0';
		} else if (!strncmp(l, "livepatch: ", 11) && lib) {
			hp_strvec_pushf(out, "%s\t%.*s", base_name(lib), (int)strcspn(l + 11, " "),
					l + 11);
		}
	}
	ret = 0;
out:
	free(lib);
	hp_strbuf_release(&sb);
	hp_strbuf_release(&tmp);
	return ret;
}

/* Where process `pid` maps a file named `name` from (a live patch .so
 * dlopened by libpulp): with `as_mapped`, its /proc/PID/map_files path,
 * which reaches the file even once deleted; else its path, when that file
 * still exists. NULL when there is none. */
static char *mapped_path(struct hp_engine *e, int pid, const char *name, int as_mapped)
{
	struct hp_strbuf maps = HP_STRBUF_INIT, tmp = HP_STRBUF_INIT;
	char *mp = hp_xasprintf("%s/%d/maps", e->proc_root, pid), *found = NULL, range[64];
	size_t n = strlen(name);

	if (!hp_read_file(mp, &maps, &tmp)) {
		for (char *l = maps.buf, *next; l && *l && !found; l = next) {
			const char *path, *b;

			next = strchr(l, '\n');
			if (next)
				*next++ = '\0';
			path = maps_path(l, range, sizeof(range));
			b = path ? base_name(path) : NULL;
			if (!b || strncmp(b, name, n))
				continue;
			if (as_mapped && (!b[n] || !strcmp(b + n, " (deleted)")))
				found = hp_xasprintf("%s/%d/map_files/%s", e->proc_root, pid, range);
			else if (!as_mapped && !b[n] && !access(path, R_OK))
				found = hp_xstrdup(path);
		}
	}
	free(mp);
	hp_strbuf_release(&maps);
	hp_strbuf_release(&tmp);
	return found;
}

/* "comm (pid), ..." of the processes `pick` selects; returns how many. */
static size_t name_procs(struct hp_strbuf *sb, const struct ulp_procs *ps,
			 int (*pick)(const struct ulp_proc *))
{
	size_t n = 0;

	for (size_t i = 0; i < ps->nr; i++)
		if (pick(&ps->v[i]))
			hp_strbuf_addf(sb, "%s%s (pid %d)", n++ ? ", " : "", ps->v[i].comm, ps->v[i].pid);
	return n;
}

static int without_libpulp(const struct ulp_proc *p)
{
	return !p->has_libpulp;
}

/* Every process of `ps` must have libpulp.so loaded: ulp cannot reach the
 * others, and skipping them would leave the build running unpatched. */
static int require_libpulp(const struct ulp_procs *ps, const struct hp_ulp_meta *m,
			   struct hp_strbuf *err)
{
	struct hp_strbuf names = HP_STRBUF_INIT;
	size_t n = name_procs(&names, ps, without_libpulp);

	if (n)
		hp_error(err, "ulp engine: %s map%s %s but %s started without libpulp.so preloaded "
			 "(LD_PRELOAD=libpulp.so.0); restart %s with it to patch live; nothing changed",
			 names.buf, n == 1 ? "s" : "", m->target, n == 1 ? "was" : "were",
			 n == 1 ? "it" : "them");
	hp_strbuf_release(&names);
	return n ? -1 : 0;
}

/* Undoes what this run did in the processes marked done: an apply is
 * reverted (and a replaced patch brought back), a revert re-applied. */
static void undo(struct hp_engine *e, struct ulp_procs *ps, const char *payload,
		 const struct hp_ulp_meta *m, int was_revert, struct hp_strbuf *err)
{
	for (size_t i = 0; i < ps->nr; i++) {
		struct ulp_proc *p = &ps->v[i];
		struct hp_strbuf why = HP_STRBUF_INIT;
		int r;

		if (!p->done)
			continue;
		if (was_revert)
			r = ulp_trigger(e, p, payload, NULL, 0, &why);
		else if (p->replaced && p->prev)
			r = ulp_trigger(e, p, p->prev, m->target, 0, &why);
		else
			r = ulp_trigger(e, p, payload, NULL, 1, &why);
		if (r)
			hp_error(err, "ulp engine: cannot undo in %s (pid %d): %s", p->comm, p->pid,
				 why.buf);
		hp_strbuf_release(&why);
	}
}

/* What one engine call works on: the patch and the processes of its build. */
struct ulp_job {
	char *path;                   /* the payload's real path */
	struct hp_ulp_meta m;
	struct ulp_procs ps;
};

static int job_open(struct hp_engine *e, const struct hp_engine_item *it, int check_sha,
		    struct ulp_job *j, struct hp_strbuf *err)
{
	memset(j, 0, sizeof(*j));
	hp_ulp_meta_init(&j->m);
	if (read_patch(e, it, check_sha, &j->path, &j->m, err))
		return -1;
	return scan(e, &j->m, &j->ps, err);
}

static void job_release(struct ulp_job *j)
{
	procs_release(&j->ps);
	hp_ulp_meta_release(&j->m);
	free(j->path);
}

/* The library must have been built for libpulp (patchable function entries,
 * `ulp post`); every process maps the same build, so one look is enough. */
static int require_patchable(struct hp_engine *e, const struct ulp_job *j, struct hp_strbuf *err)
{
	struct hp_strbuf tmp = HP_STRBUF_INIT;
	int r = run_ulp(e, "livepatchable", j->ps.v[0].mapped, NULL, NULL, NULL, NULL, &tmp);

	if (r != 0)
		hp_error(err, "ulp engine: %s (build-id %s) is not live-patchable: %s; nothing changed",
			 j->m.target, j->m.target_build_id, hp_oneline_inplace(tmp.buf));
	hp_strbuf_release(&tmp);
	return r ? -1 : 0;
}

static int ulp_apply(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	struct ulp_job j;
	struct hp_strvec live = HP_STRVEC_INIT;
	const char *name;
	int ret = -1;

	if (job_open(e, it, 1, &j, err))
		goto out;
	name = base_name(j.path);
	/* No process runs the build: nothing to patch, nothing unpatched running
	 * (is_live still says no; a process started later is brought in by
	 * reapply). Failing here would fail the boot re-apply and every dnf
	 * run on a machine where the library is installed but unused. */
	if (!j.ps.nr) {
		ret = 0;
		goto out;
	}
	if (require_libpulp(&j.ps, &j.m, err) || require_patchable(e, &j, err))
		goto out;
	/* Ask every process first: a refusal (ptrace, seccomp) stops the run
	 * before anything changed. */
	for (size_t i = 0; i < j.ps.nr; i++) {
		struct ulp_proc *p = &j.ps.v[i];
		struct hp_strbuf why = HP_STRBUF_INIT;
		int r = ulp_check(e, p, j.path, &why);

		if (r < 0) {
			hp_error(err, "%s; nothing changed", why.buf);
			hp_strbuf_release(&why);
			goto out;
		}
		hp_strbuf_release(&why);
		p->already = r == 1;
		hp_strvec_release(&live);
		if (r == 0 && live_patches(e, p->pid, &live, err))
			goto out;
		/* Another patch of the same library live here: a cumulative update. */
		for (size_t k = 0; k < live.nr; k++) {
			const char *tab = strchr(live.v[k], '\t');

			if ((size_t)(tab - live.v[k]) == strlen(j.m.target) &&
			    !strncmp(live.v[k], j.m.target, strlen(j.m.target)) && strcmp(tab + 1, name)) {
				p->replaced = 1;
				free(p->prev);
				p->prev = mapped_path(e, p->pid, tab + 1, 0);
			}
		}
	}
	for (size_t i = 0; i < j.ps.nr; i++) {
		struct ulp_proc *p = &j.ps.v[i];
		struct hp_strbuf why = HP_STRBUF_INIT;

		if (p->already)
			continue;
		if (ulp_trigger(e, p, j.path, p->replaced ? j.m.target : NULL, 0, &why)) {
			/* --revert-all may have taken the old patch out of this one. */
			if (p->replaced && p->prev && ulp_check(e, p, p->prev, NULL) == 0)
				ulp_trigger(e, p, p->prev, NULL, 0, NULL);
			hp_error(err, "ulp engine: %s (pid %d): %s; %s reversed in the other processes",
				 p->comm, p->pid, hp_oneline_inplace(why.buf), name);
			hp_strbuf_release(&why);
			undo(e, &j.ps, j.path, &j.m, 0, err);
			goto out;
		}
		hp_strbuf_release(&why);
		p->done = 1;
	}
	ret = 0;
out:
	hp_strvec_release(&live);
	job_release(&j);
	return ret;
}

/* Revert of a patch whose file is gone (its package was erased while it
 * was live: an orphan): in every process that lists it by name, through
 * the file as that process still maps it. */
static int revert_by_name(struct hp_engine *e, const char *name, struct hp_strbuf *err)
{
	struct ulp_procs ps = { 0 };
	struct hp_strvec live = HP_STRVEC_INIT;
	int ret = -1;

	if (scan(e, NULL, &ps, err))
		goto out;
	for (size_t i = 0; i < ps.nr; i++) {
		struct ulp_proc *p = &ps.v[i];
		struct hp_strbuf why = HP_STRBUF_INIT;
		char *file = NULL;
		int has = 0;

		hp_strvec_release(&live);
		if (live_patches(e, p->pid, &live, &why) && !kill(p->pid, 0)) {
			hp_error(err, "ulp engine: %s (pid %d): %s", p->comm, p->pid, why.buf);
			hp_strbuf_release(&why);
			goto out;
		}
		for (size_t k = 0; k < live.nr; k++)
			has |= !strcmp(strchr(live.v[k], '\t') + 1, name);
		if (has && (!(file = mapped_path(e, p->pid, name, 1)) ||
			    ulp_trigger(e, p, file, NULL, 1, &why))) {
			hp_error(err, "ulp engine: %s (pid %d): cannot revert %s: %s", p->comm, p->pid,
				 name, why.len ? why.buf : "it is not mapped");
			free(file);
			hp_strbuf_release(&why);
			goto out;
		}
		free(file);
		hp_strbuf_release(&why);
	}
	ret = 0;
out:
	hp_strvec_release(&live);
	procs_release(&ps);
	return ret;
}

static int ulp_revert(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	struct ulp_job j;
	char *real = hp_engine_payload_path(e, it, err);
	int ret = -1;

	memset(&j, 0, sizeof(j));
	if (real && access(real, F_OK) && errno == ENOENT && it->payload) {
		ret = revert_by_name(e, it->live_name ? it->live_name : base_name(it->payload), err);
		free(real);
		return ret;
	}
	free(real);
	if (job_open(e, it, 0, &j, err))
		goto out;
	for (size_t i = 0; i < j.ps.nr; i++) {
		struct ulp_proc *p = &j.ps.v[i];
		struct hp_strbuf why = HP_STRBUF_INIT;
		/* Without libpulp.so a process cannot have the patch. */
		int r = p->has_libpulp ? ulp_check(e, p, j.path, &why) : 0;

		if (r == 1 && ulp_trigger(e, p, j.path, NULL, 1, &why))
			r = -1;
		if (r < 0) {
			hp_error(err, "ulp engine: %s (pid %d): %s; %s re-applied in the other processes",
				 p->comm, p->pid, hp_oneline_inplace(why.buf), base_name(j.path));
			hp_strbuf_release(&why);
			undo(e, &j.ps, j.path, &j.m, 1, err);
			goto out;
		}
		hp_strbuf_release(&why);
		p->done = r == 1;
	}
	ret = 0;
out:
	job_release(&j);
	return ret;
}

/* Counts the processes that map the build (*total) and those that have the
 * patch (*live); `stragglers` (optional) names the others. */
static int count_live(struct hp_engine *e, const struct hp_engine_item *it, size_t *live,
		      size_t *total, struct hp_strbuf *stragglers, struct hp_strbuf *err)
{
	struct ulp_job j;
	int ret = -1;

	*live = *total = 0;
	if (job_open(e, it, 0, &j, err))
		goto out;
	*total = j.ps.nr;
	for (size_t i = 0; i < j.ps.nr; i++) {
		struct ulp_proc *p = &j.ps.v[i];
		int r = p->has_libpulp ? ulp_check(e, p, j.path, err) : 0;

		if (r < 0)
			goto out;
		*live += (size_t)r;
		if (!r && stragglers)
			hp_strbuf_addf(stragglers, "%s%s (pid %d)%s", stragglers->len ? ", " : "",
				       p->comm, p->pid, p->has_libpulp ? "" : " without libpulp.so");
	}
	ret = 0;
out:
	job_release(&j);
	return ret;
}

static int ulp_is_live(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	size_t live, total;

	if (count_live(e, it, &live, &total, NULL, err))
		return -1;
	return total && live == total;
}

static int ulp_describe(struct hp_engine *e, const struct hp_engine_item *it,
			struct hp_strbuf *out, struct hp_strbuf *err)
{
	struct hp_strbuf strag = HP_STRBUF_INIT;
	size_t live, total;
	int ret = count_live(e, it, &live, &total, &strag, err);

	if (!ret) {
		hp_strbuf_addf(out, "live in %zu of %zu process%s", live, total, total == 1 ? "" : "es");
		if (!total)
			hp_strbuf_adds(out, " (no running process maps the patched library build)");
		if (strag.len)
			hp_strbuf_addf(out, "; not live in %s (hotpatch reapply brings in processes "
				       "started with libpulp.so)", strag.buf);
	}
	hp_strbuf_release(&strag);
	return ret;
}

/* Every live libpulp patch of every process that has libpulp.so, by the
 * patch file's name (what `ulp patches` shows). */
static int ulp_list_live(struct hp_engine *e, struct hp_live_patch **out, size_t *nr,
			 struct hp_strbuf *err)
{
	struct ulp_procs ps = { 0 };
	struct hp_strvec names = HP_STRVEC_INIT, lines = HP_STRVEC_INIT;
	int ret = -1;

	if (scan(e, NULL, &ps, err))
		goto out;
	for (size_t i = 0; i < ps.nr; i++) {
		struct hp_strbuf why = HP_STRBUF_INIT;

		hp_strvec_release(&lines);
		/* A process that exits meanwhile has nothing live. */
		if (live_patches(e, ps.v[i].pid, &lines, &why) && !kill(ps.v[i].pid, 0)) {
			hp_error(err, "ulp engine: %s (pid %d): %s", ps.v[i].comm, ps.v[i].pid, why.buf);
			hp_strbuf_release(&why);
			goto out;
		}
		hp_strbuf_release(&why);
		for (size_t k = 0; k < lines.nr; k++) {
			const char *n = strchr(lines.v[k], '\t') + 1;

			if (!hp_strvec_contains(&names, n))
				hp_strvec_push(&names, n);
		}
	}
	*out = hp_xcalloc(names.nr + 1, sizeof(**out));
	for (size_t i = 0; i < names.nr; i++) {
		(*out)[i].name = hp_xstrdup(names.v[i]);
		(*out)[i].enabled = 1;
	}
	*nr = names.nr;
	ret = 0;
out:
	hp_strvec_release(&lines);
	hp_strvec_release(&names);
	procs_release(&ps);
	return ret;
}

static const struct hp_engine_ops ulp_ops = {
	.name = "ulp",
	.probe = ulp_probe,
	.apply = ulp_apply,
	.revert = ulp_revert,
	.list_live = ulp_list_live,
	.is_live = ulp_is_live,
	.describe = ulp_describe,
	.release = NULL,
};

int hp_ulp_engine_init(struct hp_engine *e, struct hp_strbuf *err)
{
	e->ops = &ulp_ops;
	return 0;
}
