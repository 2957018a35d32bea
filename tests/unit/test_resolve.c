/* Resolution scenarios as data (as libsolv's test/testcases): every
 * tests/resolver/ *.t file is parsed into a pool + metadata, resolved, and
 * the result compared with its `expect` lines. Format (one item a line,
 * words separated by blanks, '#' comments):
 *
 *   installed NAME EVR [ARCH]                  an installed package
 *   installed-hotpatch NAME EVR COMPONENT BUILD  ... providing hotpatch(C) = B
 *   kernel NAME EVR RELEASE                    the running kernel package (for `running auto`)
 *   running NAME EVR | running auto            running builds; auto = as hp_system detects
 *   repo ID                                    following metadata goes to repo ID
 *   baseline ID KIND ISSUED UNTIL|- NAME=EVR...
 *   hotpatch NAME EVR ARCH COMPONENT BUILD ENGINE [CVE...]
 *   now YYYY-MM-DD
 *   expect available NAME EVR        (the set must be exactly the listed ones)
 *   expect held_back NAME EVR BASELINE (exact set too)
 *   expect baseline ID|none [expired]
 *   expect installed NAME EVR newest|old
 *   expect running NAME EVR
 *   expect message TEXT...           (a message contains TEXT)
 */
#include <check.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include <solv/pool.h>
#include <solv/repo.h>

#include "hp_resolve.h"
#include "hp_system.h"

#ifndef HP_RESOLVER_DATA
#define HP_RESOLVER_DATA HP_TEST_DATA "/../resolver"
#endif

struct scenario {
	Pool *pool;
	Repo *installed;
	struct hp_meta metas[8];
	char *ids[8];
	size_t nr_repos;
	int cur;                         /* current repo, -1 none yet */
	struct hp_system sys;            /* for `running auto` */
	int running_auto;
	struct hp_strvec running;        /* "NAME=EVR" */
	struct hp_strvec expects;        /* the expect lines, without "expect " */
	time_t now;
};

static void split_evr(const char *evr, struct hp_hotpatch *h)
{
	const char *colon = strchr(evr, ':');
	const char *v = colon ? colon + 1 : evr;
	const char *dash = strrchr(v, '-');

	h->epoch = colon ? hp_xstrndup(evr, colon - evr) : NULL;
	h->version = dash ? hp_xstrndup(v, dash - v) : hp_xstrdup(v);
	h->release = hp_xstrdup(dash ? dash + 1 : "0");
}

static struct hp_meta *cur_meta(struct scenario *sc)
{
	if (sc->cur < 0) {
		sc->ids[0] = hp_xstrdup("main");
		hp_meta_init(&sc->metas[0]);
		sc->nr_repos = 1;
		sc->cur = 0;
	}
	return &sc->metas[sc->cur];
}

static Id add_installed(struct scenario *sc, const char *name, const char *evr, const char *arch)
{
	Pool *pool = sc->pool;
	Id p = repo_add_solvable(sc->installed);
	Solvable *s = pool->solvables + p;

	s->name = pool_str2id(pool, name, 1);
	s->evr = pool_str2id(pool, evr, 1);
	s->arch = pool_str2id(pool, arch ? arch : "x86_64", 1);
	s->provides = repo_addid_dep(sc->installed, s->provides,
				     pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), 0);
	return p;
}

/* Returns 0, or -1 with a message in err naming file:line. */
static int parse_line(struct scenario *sc, char **w, size_t n, const char *where,
		      struct hp_strbuf *err)
{
	if (!strcmp(w[0], "installed") && (n == 3 || n == 4)) {
		add_installed(sc, w[1], w[2], n == 4 ? w[3] : NULL);
	} else if (!strcmp(w[0], "installed-hotpatch") && n == 5) {
		Id p = add_installed(sc, w[1], w[2], NULL);
		Solvable *s = sc->pool->solvables + p;
		char *dep = hp_xasprintf("hotpatch(%s)", w[3]);

		s->provides = repo_addid_dep(sc->installed, s->provides,
					     pool_rel2id(sc->pool, pool_str2id(sc->pool, dep, 1),
							 pool_str2id(sc->pool, w[4], 1), REL_EQ, 1), 0);
		free(dep);
	} else if (!strcmp(w[0], "kernel") && n == 4) {
		sc->sys.kernel_name = hp_xstrdup(w[1]);
		sc->sys.kernel_evr = hp_xstrdup(w[2]);
		sc->sys.uname_r = hp_xstrdup(w[3]);
	} else if (!strcmp(w[0], "running") && n == 2 && !strcmp(w[1], "auto")) {
		sc->running_auto = 1;
	} else if (!strcmp(w[0], "running") && n == 3) {
		hp_strvec_pushf(&sc->running, "%s=%s", w[1], w[2]);
	} else if (!strcmp(w[0], "repo") && n == 2) {
		if (sc->nr_repos == 8)
			return hp_error(err, "%s: too many repos", where);
		sc->cur = (int)sc->nr_repos++;
		sc->ids[sc->cur] = hp_xstrdup(w[1]);
		hp_meta_init(&sc->metas[sc->cur]);
	} else if (!strcmp(w[0], "baseline") && n >= 6) {
		struct hp_baseline b;

		hp_baseline_init(&b);
		b.id = hp_xstrdup(w[1]);
		if (hp_baseline_kind_parse(w[2], &b.kind)) {
			hp_baseline_release(&b);
			return hp_error(err, "%s: bad kind '%s'", where, w[2]);
		}
		b.issued = hp_xstrdup(w[3]);
		b.supported_until = strcmp(w[4], "-") ? hp_xstrdup(w[4]) : NULL;
		for (size_t i = 5; i < n; i++) {
			char *name = NULL, *evr = NULL;

			if (hp_parse_name_evr(w[i], &name, &evr, err)) {
				hp_baseline_release(&b);
				return -1;
			}
			hp_baseline_add_build(&b, name, evr);
			free(name);
			free(evr);
		}
		hp_meta_add_baseline(cur_meta(sc), &b);
	} else if (!strcmp(w[0], "hotpatch") && n >= 7) {
		struct hp_hotpatch h;

		hp_hotpatch_init(&h);
		h.name = hp_xstrdup(w[1]);
		split_evr(w[2], &h);
		h.arch = hp_xstrdup(w[3]);
		h.component = hp_xstrdup(w[4]);
		h.build = hp_xstrdup(w[5]);
		h.engine = hp_xstrdup(w[6]);
		for (size_t i = 7; i < n; i++)
			hp_strvec_push(&h.cves, w[i]);
		hp_meta_add_hotpatch(cur_meta(sc), &h);
	} else if (!strcmp(w[0], "now") && n == 2) {
		if (hp_parse_date(w[1], &sc->now))
			return hp_error(err, "%s: bad date '%s'", where, w[1]);
	} else if (!strcmp(w[0], "expect") && n >= 2) {
		struct hp_strbuf sb = HP_STRBUF_INIT;

		for (size_t i = 1; i < n; i++)
			hp_strbuf_addf(&sb, "%s%s", i > 1 ? " " : "", w[i]);
		hp_strvec_push_nodup(&sc->expects, hp_strbuf_detach(&sb));
	} else {
		return hp_error(err, "%s: cannot parse '%s' (%zu words)", where, w[0], n);
	}
	return 0;
}

static int parse_file(struct scenario *sc, const char *path, struct hp_strbuf *err)
{
	struct hp_strbuf buf = HP_STRBUF_INIT;
	char *line, *save = NULL;
	int lineno = 0, ret = -1;

	if (hp_read_file(path, &buf, err))
		goto out;
	for (line = strtok_r(buf.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *w[64], *ws = NULL, *tok;
		size_t n = 0;
		char *where;
		int rc;

		lineno++;   /* blank lines are skipped by strtok: numbers count non-empty lines */
		if (*line == '#')
			continue;
		for (tok = strtok_r(line, " \t", &ws); tok && n < 64; tok = strtok_r(NULL, " \t", &ws))
			w[n++] = tok;
		if (!n)
			continue;
		where = hp_xasprintf("%s:%d", path, lineno);
		rc = parse_line(sc, w, n, where, err);
		free(where);
		if (rc)
			goto out;
	}
	ret = 0;
out:
	hp_strbuf_release(&buf);
	return ret;
}

static int has_line(const struct hp_strvec *v, const char *s)
{
	return hp_strvec_contains(v, s);
}

/* Compares the result with the expectations; appends problems to `bad`. */
static void check_result(struct scenario *sc, const struct hp_resolution *res,
			 const struct hp_running *run, size_t nr_run, struct hp_strbuf *bad)
{
	struct hp_strvec got = HP_STRVEC_INIT;
	int baseline_checked = 0;

	/* available and held_back: exact sets */
	for (size_t i = 0; i < res->nr_available; i++)
		hp_strvec_pushf(&got, "available %s %s", res->available[i].package,
				res->available[i].evr);
	for (size_t i = 0; i < res->nr_held_back; i++)
		hp_strvec_pushf(&got, "held_back %s %s %s", res->held_back[i].name,
				res->held_back[i].evr, res->held_back[i].baseline);
	for (size_t i = 0; i < got.nr; i++)
		if (!has_line(&sc->expects, got.v[i]))
			hp_strbuf_addf(bad, "  unexpected: %s\n", got.v[i]);
	for (size_t i = 0; i < sc->expects.nr; i++) {
		const char *e = sc->expects.v[i];

		if ((!strncmp(e, "available ", 10) || !strncmp(e, "held_back ", 10)) &&
		    !has_line(&got, e))
			hp_strbuf_addf(bad, "  missing: %s\n", e);
	}
	hp_strvec_release(&got);

	for (size_t i = 0; i < sc->expects.nr; i++) {
		const char *e = sc->expects.v[i];

		if (!strncmp(e, "baseline ", 9)) {
			char *want = hp_xstrdup(e + 9), *sp = strchr(want, ' ');
			int want_expired = sp && !strcmp(sp + 1, "expired");
			const char *have = res->baseline ? res->baseline->id : "none";

			if (sp)
				*sp = '\0';
			baseline_checked = 1;
			if (strcmp(want, have))
				hp_strbuf_addf(bad, "  baseline: expected %s, got %s\n", want, have);
			else if (res->baseline && want_expired != res->baseline->expired)
				hp_strbuf_addf(bad, "  baseline %s: expired is %d\n", have,
					       res->baseline->expired);
			free(want);
		} else if (!strncmp(e, "installed ", 10)) {
			int found = 0;

			for (size_t j = 0; j < res->nr_installed; j++) {
				const struct hp_res_hotpatch *h = &res->installed[j];
				char *s = hp_xasprintf("installed %s %s %s", h->package, h->evr,
						       h->newest ? "newest" : "old");

				found |= !strcmp(s, e);
				free(s);
			}
			if (!found)
				hp_strbuf_addf(bad, "  missing: %s\n", e);
		} else if (!strncmp(e, "running ", 8)) {
			int found = 0;

			for (size_t j = 0; j < nr_run; j++) {
				char *s = hp_xasprintf("running %s %s", run[j].name, run[j].evr);

				found |= !strcmp(s, e);
				free(s);
			}
			if (!found)
				hp_strbuf_addf(bad, "  missing: %s\n", e);
		} else if (!strncmp(e, "message ", 8)) {
			int found = 0;

			for (size_t j = 0; j < res->messages.nr; j++)
				found |= strstr(res->messages.v[j], e + 8) != NULL;
			for (size_t j = 0; j < sc->sys.messages.nr; j++)
				found |= strstr(sc->sys.messages.v[j], e + 8) != NULL;
			if (!found)
				hp_strbuf_addf(bad, "  missing: %s\n", e);
		}
	}
	(void)baseline_checked;
}

static void run_scenario(const char *path, struct hp_strbuf *bad)
{
	struct scenario sc;
	struct hp_resolution res;
	struct hp_resolve_repo rr[8];
	struct hp_resolve_input in;
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_strvec components = HP_STRVEC_INIT;
	size_t before = bad->len;

	memset(&sc, 0, sizeof(sc));
	sc.cur = -1;
	sc.pool = pool_create();
	sc.installed = repo_create(sc.pool, "@System");
	pool_set_installed(sc.pool, sc.installed);
	hp_system_init(&sc.sys);
	hp_strvec_init(&sc.running);
	hp_strvec_init(&sc.expects);
	hp_resolution_init(&res);
	sc.now = hp_now();

	if (parse_file(&sc, path, &err)) {
		hp_strbuf_addf(bad, "%s\n", err.buf);
		goto out;
	}
	for (size_t i = 0; i < sc.nr_repos; i++) {
		rr[i].id = sc.ids[i];
		rr[i].meta = &sc.metas[i];
	}
	/* Running builds: as hp_system does from the pool (auto), plus the
	 * explicit ones as --running overrides. */
	sc.sys.pool = sc.pool;
	hp_resolve_components(rr, sc.nr_repos, &components);
	if (hp_system_detect_running(&sc.sys, sc.running_auto ? &components : NULL,
				     &sc.running, &err)) {
		hp_strbuf_addf(bad, "%s\n", err.buf);
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.pool = sc.pool;
	in.running = sc.sys.running;
	in.nr_running = sc.sys.nr_running;
	in.repos = rr;
	in.nr_repos = sc.nr_repos;
	in.now = sc.now;
	if (hp_resolve(&in, &res, &err)) {
		hp_strbuf_addf(bad, "%s: %s\n", path, err.buf);
		goto out;
	}
	check_result(&sc, &res, sc.sys.running, sc.sys.nr_running, bad);
	if (bad->len > before) {
		char *tail = hp_xstrdup(bad->buf + before);

		bad->len = before;
		bad->buf[before] = '\0';
		hp_strbuf_addf(bad, "%s:\n%s", path, tail);
		free(tail);
	}
out:
	sc.sys.pool = NULL;   /* ours, freed below */
	hp_system_release(&sc.sys);
	for (size_t i = 0; i < sc.nr_repos; i++) {
		hp_meta_release(&sc.metas[i]);
		free(sc.ids[i]);
	}
	pool_free(sc.pool);
	hp_strvec_release(&sc.running);
	hp_strvec_release(&sc.expects);
	hp_strvec_release(&components);
	hp_resolution_release(&res);
	hp_strbuf_release(&err);
}

START_TEST(test_scenarios)
{
	glob_t g;
	struct hp_strbuf bad = HP_STRBUF_INIT;

	ck_assert_int_eq(glob(HP_RESOLVER_DATA "/*.t", 0, NULL, &g), 0);
	ck_assert_msg(g.gl_pathc >= 10, "only %zu scenarios", (size_t)g.gl_pathc);
	for (size_t i = 0; i < g.gl_pathc; i++)
		run_scenario(g.gl_pathv[i], &bad);
	globfree(&g);
	ck_assert_msg(bad.len == 0, "scenario failures:\n%s", bad.buf);
	hp_strbuf_release(&bad);
}
END_TEST

/* The resolver must not leave its repos in the pool. */
START_TEST(test_pool_clean_after_resolve)
{
	Pool *pool = pool_create();
	Repo *inst = repo_create(pool, "@System");
	struct hp_meta m;
	struct hp_hotpatch h;
	struct hp_resolve_repo rr = { "r", &m };
	struct hp_running run = { (char *)"kernel-core", (char *)"6.1.0-57", NULL, 0 };
	struct hp_resolve_input in = { pool, &run, 1, &rr, 1, 0 };
	struct hp_resolution res;
	struct hp_strbuf err = HP_STRBUF_INIT;
	Id p = repo_add_solvable(inst);
	int nrepos;

	pool->solvables[p].name = pool_str2id(pool, "kernel-core", 1);
	pool->solvables[p].evr = pool_str2id(pool, "6.1.0-57", 1);
	pool->solvables[p].arch = pool_str2id(pool, "x86_64", 1);
	pool_set_installed(pool, inst);
	hp_meta_init(&m);
	hp_hotpatch_init(&h);
	h.name = hp_xstrdup("kpatch-57");
	h.version = hp_xstrdup("1");
	h.release = hp_xstrdup("1");
	h.arch = hp_xstrdup("x86_64");
	h.component = hp_xstrdup("kernel-core");
	h.build = hp_xstrdup("6.1.0-57");
	h.engine = hp_xstrdup("klp");
	hp_meta_add_hotpatch(&m, &h);
	hp_resolution_init(&res);
	nrepos = pool->nrepos;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(hp_resolve(&in, &res, &err), 0);
		ck_assert_int_eq(res.nr_available, 1);
		ck_assert_str_eq(res.available[0].package, "kpatch-57");
		ck_assert_int_eq(pool->nrepos, nrepos);
	}
	hp_resolution_release(&res);
	hp_meta_release(&m);
	hp_strbuf_release(&err);
	pool_free(pool);
}
END_TEST

Suite *resolve_suite(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("scenarios");

	tcase_add_test(tc, test_scenarios);
	tcase_add_test(tc, test_pool_clean_after_resolve);
	suite_add_tcase(s, tc);
	return s;
}
