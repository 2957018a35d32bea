/* Resolution with libsolv: see hp_resolve.h. */
#include <stdlib.h>
#include <string.h>

#include <solv/evr.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>

#include "hp_resolve.h"

#define HELD_REASON "needs a reboot (baseline component)"

void hp_running_release(struct hp_running *r)
{
	free(r->name);
	free(r->evr);
	free(r->release);
	memset(r, 0, sizeof(*r));
}

static void res_hotpatch_release(struct hp_res_hotpatch *h)
{
	free(h->package);
	free(h->evr);
	free(h->arch);
	free(h->component);
	free(h->build);
	free(h->engine);
	free(h->repo);
	hp_strvec_release(&h->cves);
}

static void res_baseline_free(struct hp_res_baseline *b)
{
	if (!b)
		return;
	free(b->id);
	free(b->kind);
	free(b->issued);
	free(b->supported_until);
	free(b->repo);
	free(b);
}

void hp_resolution_init(struct hp_resolution *res)
{
	memset(res, 0, sizeof(*res));
	hp_strvec_init(&res->messages);
}

void hp_resolution_release(struct hp_resolution *res)
{
	res_baseline_free(res->baseline);
	for (size_t i = 0; i < res->nr_available; i++)
		res_hotpatch_release(&res->available[i]);
	free(res->available);
	for (size_t i = 0; i < res->nr_installed; i++)
		res_hotpatch_release(&res->installed[i]);
	free(res->installed);
	for (size_t i = 0; i < res->nr_held_back; i++) {
		free(res->held_back[i].name);
		free(res->held_back[i].evr);
		free(res->held_back[i].baseline);
		free(res->held_back[i].reason);
	}
	free(res->held_back);
	hp_strvec_release(&res->messages);
	hp_resolution_init(res);
}

int hp_is_kernel_component(const char *name)
{
	return !strncmp(name, "kernel", 6);
}

void hp_resolve_components(const struct hp_resolve_repo *repos, size_t nr_repos,
			   struct hp_strvec *out)
{
	for (size_t r = 0; r < nr_repos; r++) {
		const struct hp_meta *m = repos[r].meta;

		if (!m)
			continue;
		for (size_t i = 0; i < m->nr_baselines; i++)
			for (size_t j = 0; j < m->baselines[i].nr_builds; j++)
				if (!hp_strvec_contains(out, m->baselines[i].builds[j].name))
					hp_strvec_push(out, m->baselines[i].builds[j].name);
		for (size_t i = 0; i < m->nr_hotpatches; i++)
			if (m->hotpatches[i].component &&
			    !hp_strvec_contains(out, m->hotpatches[i].component))
				hp_strvec_push(out, m->hotpatches[i].component);
	}
}

static int evrcmp(Pool *pool, const char *a, const char *b)
{
	return pool_evrcmp_str(pool, a, b, EVRCMP_COMPARE);
}

const char *hp_pool_newest_installed(Pool *pool, const char *name)
{
	Id nameid, p;
	Solvable *s;
	const char *best = NULL;

	if (!pool->installed)
		return NULL;
	nameid = pool_str2id(pool, name, 0);
	if (!nameid)
		return NULL;
	FOR_REPO_SOLVABLES(pool->installed, p, s) {
		const char *evr;

		if (s->name != nameid)
			continue;
		evr = pool_id2str(pool, s->evr);
		if (!best || evrcmp(pool, evr, best) > 0)
			best = evr;
	}
	return best;
}

int hp_pool_is_installed(Pool *pool, const char *name, const char *evr)
{
	Id nameid, p;
	Solvable *s;

	if (!pool->installed)
		return 0;
	nameid = pool_str2id(pool, name, 0);
	if (!nameid)
		return 0;
	FOR_REPO_SOLVABLES(pool->installed, p, s)
		if (s->name == nameid && !evrcmp(pool, pool_id2str(pool, s->evr), evr))
			return 1;
	return 0;
}

/* A baseline with the repo it came from; sorted newest first. */
struct bl_ref {
	const struct hp_baseline *b;
	const char *repo;
};

static int bl_newest_first(const void *a, const void *b)
{
	const struct bl_ref *x = a, *y = b;
	int c = strcmp(y->b->issued ? y->b->issued : "", x->b->issued ? x->b->issued : "");

	return c ? c : strcmp(y->b->id, x->b->id);
}

/* Solvable id -> hotpatch record, for the temporary repos. */
struct hp_map {
	Id first;                 /* first solvable id of the repos we added */
	const struct hp_hotpatch **rec;
	const char **repo;
	size_t nr, alloc;
};

static const struct hp_hotpatch *map_rec(const struct hp_map *map, Id p, const char **repo)
{
	if (p < map->first || (size_t)(p - map->first) >= map->nr)
		return NULL;
	if (repo)
		*repo = map->repo[p - map->first];
	return map->rec[p - map->first];
}

static char *xevr(const struct hp_hotpatch *h)
{
	return hp_hotpatch_evr(h);
}

static Id dep_hotpatch(Pool *pool, const char *component, const char *evr, int create)
{
	/* pool_tmpjoin: libsolv's scratch space, no malloc per record. */
	Id name = pool_str2id(pool, pool_tmpjoin(pool, "hotpatch(", component, ")"), create), e;

	if (!name)
		return 0;
	e = pool_str2id(pool, evr, create);
	if (!e)
		return 0;
	return pool_rel2id(pool, name, e, REL_EQ, create);
}

/* Adds one solvable per hotpatch record: name, evr, arch, provides
 * hotpatch(C) = build, requires C = build (the packaging convention). */
static Repo *add_hotpatch_repo(Pool *pool, const struct hp_resolve_repo *rr, struct hp_map *map)
{
	Repo *repo = repo_create(pool, rr->id ? rr->id : "hotpatch");
	const struct hp_meta *m = rr->meta;

	for (size_t i = 0; m && i < m->nr_hotpatches; i++) {
		const struct hp_hotpatch *h = &m->hotpatches[i];
		Id p = repo_add_solvable(repo);
		Solvable *s = pool->solvables + p;
		/* The EVR in libsolv's scratch space: no malloc per record. */
		const char *evr = pool_tmpjoin(pool, h->version ? h->version : "", "-",
					       h->release ? h->release : "");
		size_t old_alloc = map->alloc;

		if (!map->nr)
			map->first = p;
		/* Solvable ids of one pool are consecutive for our repos (nothing
		 * else is added meanwhile), so a dense array maps them. */
		HP_ALLOC_GROW(map->rec, (size_t)(p - map->first) + 1, map->alloc);
		if (map->alloc != old_alloc)
			map->repo = hp_xrealloc(map->repo, map->alloc * sizeof(*map->repo));
		map->nr = (size_t)(p - map->first) + 1;
		map->rec[p - map->first] = h;
		map->repo[p - map->first] = rr->id;

		s->name = pool_str2id(pool, h->name, 1);
		if (h->epoch && *h->epoch && strcmp(h->epoch, "0"))   /* as hp_hotpatch_evr */
			evr = pool_tmpjoin(pool, h->epoch, ":", evr);
		s->evr = pool_str2id(pool, evr, 1);
		s->arch = pool_str2id(pool, h->arch ? h->arch : "noarch", 1);
		s->provides = repo_addid_dep(repo, s->provides,
					     pool_rel2id(pool, s->name, s->evr, REL_EQ, 1), 0);
		if (h->component && h->build) {
			s->provides = repo_addid_dep(repo, s->provides,
						     dep_hotpatch(pool, h->component, h->build, 1), 0);
			s->requires = repo_addid_dep(repo, s->requires,
						     pool_rel2id(pool, pool_str2id(pool, h->component, 1),
								 pool_str2id(pool, h->build, 1), REL_EQ, 1), 0);
		}
	}
	repo_internalize(repo);
	return repo;
}

static void fill_hotpatch(struct hp_res_hotpatch *o, const struct hp_hotpatch *h, const char *repo)
{
	memset(o, 0, sizeof(*o));
	hp_strvec_init(&o->cves);
	o->package = hp_xstrdup(h->name);
	o->evr = xevr(h);
	o->arch = hp_xstrdup(h->arch);
	o->component = hp_xstrdup(h->component);
	o->build = hp_xstrdup(h->build);
	o->engine = hp_xstrdup(h->engine);
	o->repo = hp_xstrdup(repo);
	for (size_t i = 0; i < h->cves.nr; i++)
		hp_strvec_push(&o->cves, h->cves.v[i]);
}

static const struct hp_running *find_running(const struct hp_resolve_input *in, const char *name)
{
	for (size_t i = 0; i < in->nr_running; i++)
		if (!strcmp(in->running[i].name, name))
			return &in->running[i];
	return NULL;
}

/* The newest offered record named `pkg` for component/build, or NULL. */
static const struct hp_hotpatch *newest_offered(const struct hp_resolve_input *in,
						const struct hp_map *map, const char *pkg,
						const char *component, const char *build,
						const char **repo)
{
	Pool *pool = in->pool;
	const struct hp_hotpatch *best = NULL;
	char *best_evr = NULL;
	Id dep = dep_hotpatch(pool, component, build, 0), p, pp;

	if (!dep)
		return NULL;
	FOR_PROVIDES(p, pp, dep) {
		const char *r = NULL;
		const struct hp_hotpatch *h = map_rec(map, p, &r);
		char *evr;

		if (!h || strcmp(h->name, pkg) || evrcmp(pool, h->build, build))
			continue;
		evr = xevr(h);
		if (!best || evrcmp(pool, evr, best_evr) > 0) {
			best = h;
			*repo = r;
			free(best_evr);
			best_evr = evr;
		} else {
			free(evr);
		}
	}
	free(best_evr);
	return best;
}

/* If an installed solvable is a hotpatch, its target from
 * `Provides: hotpatch(C) = B`; returns malloc'd component and build. */
static int installed_target(Pool *pool, Solvable *s, char **component, char **build)
{
	Id *pp;

	if (!s->provides)
		return 0;
	for (pp = s->repo->idarraydata + s->provides; *pp; pp++) {
		Reldep *rd;
		const char *n;
		size_t len;

		if (!ISRELDEP(*pp))
			continue;
		rd = GETRELDEP(pool, *pp);
		if (rd->flags != REL_EQ)
			continue;
		n = pool_id2str(pool, rd->name);
		len = strlen(n);
		if (strncmp(n, "hotpatch(", 9) || len < 11 || n[len - 1] != ')')
			continue;
		*component = hp_xstrndup(n + 9, len - 10);
		*build = hp_xstrdup(pool_id2str(pool, rd->evr));
		return 1;
	}
	return 0;
}

void hp_resolve_installed_components(Pool *pool, struct hp_strvec *out)
{
	Solvable *s;
	Id p;

	if (!pool || !pool->installed)
		return;
	FOR_REPO_SOLVABLES(pool->installed, p, s) {
		char *component, *build;

		if (!installed_target(pool, s, &component, &build))
			continue;
		if (!hp_strvec_contains(out, component))
			hp_strvec_push(out, component);
		free(component);
		free(build);
	}
}

/* A record of any repo named like the installed package (same EVR
 * preferred), for scenario data and packages without the provide. */
static const struct hp_hotpatch *record_by_name(const struct hp_resolve_input *in,
						 const char *name, const char *evr)
{
	const struct hp_hotpatch *any = NULL;

	for (size_t r = 0; r < in->nr_repos; r++) {
		const struct hp_meta *m = in->repos[r].meta;

		for (size_t i = 0; m && i < m->nr_hotpatches; i++) {
			const struct hp_hotpatch *h = &m->hotpatches[i];
			char *e;
			int same;

			if (strcmp(h->name, name))
				continue;
			e = xevr(h);
			same = !evrcmp(in->pool, e, evr);
			free(e);
			if (same)
				return h;
			if (!any)
				any = h;
		}
	}
	return any;
}

/* Whether any offered record is named `name` (indexed: the records'
 * self-provides), so most installed packages cost one lookup. */
static int name_offered(Pool *pool, const struct hp_map *map, Id name)
{
	Id p, pp;

	FOR_PROVIDES(p, pp, name)
		if (map_rec(map, p, NULL))
			return 1;
	return 0;
}

static void collect_installed(const struct hp_resolve_input *in, const struct hp_map *map,
			      struct hp_resolution *res)
{
	Pool *pool = in->pool;
	Id p;
	Solvable *s;

	if (!pool->installed)
		return;
	FOR_REPO_SOLVABLES(pool->installed, p, s) {
		char *component = NULL, *build = NULL;
		const char *name = pool_id2str(pool, s->name);
		const char *evr = pool_id2str(pool, s->evr);
		const struct hp_hotpatch *rec = NULL, *best;
		const struct hp_running *run;
		const char *repo = NULL;
		struct hp_res_hotpatch *o;

		if (!installed_target(pool, s, &component, &build)) {
			if (!name_offered(pool, map, s->name))
				continue;
			rec = record_by_name(in, name, evr);
			if (!rec)
				continue;
			component = hp_xstrdup(rec->component);
			build = hp_xstrdup(rec->build);
		}
		HP_ALLOC_GROW(res->installed, res->nr_installed + 1, res->alloc_installed);
		o = &res->installed[res->nr_installed++];
		memset(o, 0, sizeof(*o));
		hp_strvec_init(&o->cves);
		o->package = hp_xstrdup(name);
		o->evr = hp_xstrdup(evr);
		o->arch = hp_xstrdup(pool_id2str(pool, s->arch));
		o->component = component;
		o->build = build;
		run = find_running(in, component);
		o->for_running = run && build && !evrcmp(pool, run->evr, build);
		best = build ? newest_offered(in, map, name, component, build, &repo) : NULL;
		o->newest = !best;
		if (best) {
			char *bevr = xevr(best);

			o->newest = evrcmp(pool, evr, bevr) >= 0;
			free(bevr);
		}
		/* Engine and CVEs from the record of this exact version, if any. */
		if (!rec) {
			rec = record_by_name(in, name, evr);
			if (rec) {
				char *e = xevr(rec);

				if (evrcmp(pool, e, evr))
					rec = NULL;
				free(e);
			}
		}
		if (rec) {
			o->engine = hp_xstrdup(rec->engine);
			for (size_t i = 0; i < rec->cves.nr; i++)
				hp_strvec_push(&o->cves, rec->cves.v[i]);
		}
	}
}

/* Whether an installed version of `pkg` is at least `evr`. */
static int installed_at_least(Pool *pool, const char *pkg, const char *evr)
{
	const char *have = hp_pool_newest_installed(pool, pkg);

	return have && evrcmp(pool, have, evr) >= 0;
}

static int past(const char *date, time_t now)
{
	time_t t;

	if (!date || hp_parse_date(date, &t))
		return 0;
	/* Supported *until* that day: past it from the next midnight on. */
	return now >= t + 86400;
}

/* Newest baseline carrying `component` (at any build), or NULL. */
static const struct bl_ref *newest_with(const struct bl_ref *bl, size_t n, const char *component)
{
	for (size_t i = 0; i < n; i++)
		if (hp_baseline_find_build(bl[i].b, component))
			return &bl[i];
	return NULL;
}

/* Offered hotpatches for one running build, newest per package name. */
static void available_for(const struct hp_resolve_input *in, const struct hp_map *map,
			  const struct hp_running *run, struct hp_resolution *res)
{
	Pool *pool = in->pool;
	Id dep = dep_hotpatch(pool, run->name, run->evr, 0), p, pp;
	struct hp_strvec names = HP_STRVEC_INIT;

	if (!dep)
		return;
	FOR_PROVIDES(p, pp, dep) {
		const struct hp_hotpatch *h = map_rec(map, p, NULL), *best;
		const char *repo = NULL;
		char *evr;

		if (!h || hp_strvec_contains(&names, h->name))
			continue;
		hp_strvec_push(&names, h->name);
		best = newest_offered(in, map, h->name, run->name, run->evr, &repo);
		if (!best)
			continue;
		evr = xevr(best);
		if (!installed_at_least(pool, best->name, evr)) {
			HP_ALLOC_GROW(res->available, res->nr_available + 1, res->alloc_available);
			fill_hotpatch(&res->available[res->nr_available++], best, repo);
		}
		free(evr);
	}
	hp_strvec_release(&names);
}

static int avail_cmp(const void *a, const void *b)
{
	const struct hp_res_hotpatch *x = a, *y = b;
	int c = strcmp(x->component, y->component);

	return c ? c : strcmp(x->package, y->package);
}

/* Baseline whose builds equal the running builds for every listed
 * component that is installed (at least one must be). */
static int baseline_matches(const struct hp_resolve_input *in, const struct hp_baseline *b)
{
	int matched = 0;

	for (size_t i = 0; i < b->nr_builds; i++) {
		const struct hp_build *bu = &b->builds[i];
		const struct hp_running *run;

		if (!hp_pool_newest_installed(in->pool, bu->name))
			continue;
		run = find_running(in, bu->name);
		if (!run || evrcmp(in->pool, run->evr, bu->evr) ||
		    !hp_pool_is_installed(in->pool, run->name, run->evr))
			return 0;
		matched = 1;
	}
	return matched;
}

int hp_resolve(const struct hp_resolve_input *in, struct hp_resolution *res,
	       struct hp_strbuf *err)
{
	Pool *pool = in->pool;
	struct bl_ref *bl = NULL;
	size_t nr_bl = 0, alloc_bl = 0;
	struct hp_map map = { 0, NULL, NULL, 0, 0 };
	Repo **repos = NULL;
	int ret = -1;

	hp_resolution_release(res);
	if (!pool) {
		hp_error(err, "resolve: no package pool");
		goto out;
	}

	repos = hp_xcalloc(in->nr_repos + 1, sizeof(*repos));
	for (size_t r = 0; r < in->nr_repos; r++) {
		const struct hp_meta *m = in->repos[r].meta;

		repos[r] = add_hotpatch_repo(pool, &in->repos[r], &map);
		for (size_t i = 0; m && i < m->nr_baselines; i++) {
			HP_ALLOC_GROW(bl, nr_bl + 1, alloc_bl);
			bl[nr_bl].b = &m->baselines[i];
			bl[nr_bl++].repo = in->repos[r].id;
		}
	}
	pool_createwhatprovides(pool);
	if (nr_bl)
		qsort(bl, nr_bl, sizeof(*bl), bl_newest_first);
	if (!in->nr_repos)
		hp_strvec_push(&res->messages, "no hotpatch metadata loaded");

	/* The machine's current baseline. */
	for (size_t i = 0; i < nr_bl; i++) {
		struct hp_res_baseline *o;

		if (!baseline_matches(in, bl[i].b))
			continue;
		o = hp_xcalloc(1, sizeof(*o));
		o->id = hp_xstrdup(bl[i].b->id);
		o->kind = hp_xstrdup(hp_baseline_kind_name(bl[i].b->kind));
		o->issued = hp_xstrdup(bl[i].b->issued);
		o->supported_until = hp_xstrdup(bl[i].b->supported_until);
		o->repo = hp_xstrdup(bl[i].repo);
		o->expired = past(o->supported_until, in->now);
		res->baseline = o;
		break;
	}
	if (!res->baseline && nr_bl)
		hp_strvec_push(&res->messages,
			       "no published baseline matches the running builds");

	for (size_t i = 0; i < in->nr_running; i++) {
		const struct hp_running *run = &in->running[i];
		const struct bl_ref *support = NULL, *newest;

		if (!hp_pool_is_installed(pool, run->name, run->evr)) {
			hp_strvec_pushf(&res->messages,
					"running build %s-%s is not installed: no hotpatches for it",
					run->name, run->evr);
			continue;
		}
		/* held back: the newest baseline bringing a newer build. */
		for (size_t j = 0; j < nr_bl; j++) {
			const struct hp_build *bu = hp_baseline_find_build(bl[j].b, run->name);
			struct hp_res_held *h;

			if (!bu || evrcmp(pool, bu->evr, run->evr) <= 0)
				continue;
			HP_ALLOC_GROW(res->held_back, res->nr_held_back + 1, res->alloc_held_back);
			h = &res->held_back[res->nr_held_back++];
			h->name = hp_xstrdup(run->name);
			h->evr = hp_xstrdup(bu->evr);
			h->baseline = hp_xstrdup(bl[j].b->id);
			h->reason = hp_xstrdup(HELD_REASON);
			break;
		}
		/* Support end: of the newest baseline carrying exactly this build. */
		for (size_t j = 0; j < nr_bl && !support; j++) {
			const struct hp_build *bu = hp_baseline_find_build(bl[j].b, run->name);

			if (bu && !evrcmp(pool, bu->evr, run->evr))
				support = &bl[j];
		}
		if (support && past(support->b->supported_until, in->now)) {
			newest = newest_with(bl, nr_bl, run->name);
			if (newest && newest != support)
				hp_strvec_pushf(&res->messages,
						"baseline %s is past its support end (%s): reboot into baseline %s",
						support->b->id, support->b->supported_until, newest->b->id);
			else
				hp_strvec_pushf(&res->messages,
						"baseline %s is past its support end (%s): no newer baseline is published yet",
						support->b->id, support->b->supported_until);
			continue;
		}
		available_for(in, &map, run, res);
	}
	if (res->nr_available > 1)
		qsort(res->available, res->nr_available, sizeof(*res->available), avail_cmp);
	collect_installed(in, &map, res);
	ret = 0;
out:
	for (size_t r = 0; repos && r < in->nr_repos; r++)
		repo_free(repos[r], 1);
	free(repos);
	free(bl);
	free(map.rec);
	free(map.repo);
	return ret;
}
