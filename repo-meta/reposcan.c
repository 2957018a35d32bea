/* The repository as its metadata describes it: primary (which packages are
 * hotpatches, where the component builds are) and updateinfo (CVEs, severity,
 * reboot, issue date per package, parsed by updateinfo.c), loaded once with
 * libsolv. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <solv/chksum.h>
#include <solv/evr.h>
#include <solv/knownid.h>
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_rpmmd.h>
#include <solv/solvable.h>

#include "hp_xmlstream.h"
#include "hp_pkgscan.h"
#include "hp_repomd.h"
#include "hp_updateinfo.h"

void hp_repo_pkg_init(struct hp_repo_pkg *p)
{
	memset(p, 0, sizeof(*p));
}

void hp_repo_pkg_release(struct hp_repo_pkg *p)
{
	free(p->name);
	free(p->evr);
	free(p->arch);
	free(p->location);
	free(p->pkgid);
	hp_repo_pkg_init(p);
}

void hp_reposcan_init(struct hp_reposcan *rs)
{
	memset(rs, 0, sizeof(*rs));
}

void hp_reposcan_release(struct hp_reposcan *rs)
{
	free(rs->repodir);
	for (size_t i = 0; i < rs->nr_hotpatches; i++)
		hp_repo_pkg_release(&rs->hotpatches[i]);
	free(rs->hotpatches);
	for (size_t i = 0; i < rs->nr_adv; i++) {
		hp_strvec_release(&rs->adv[i].advisories);
		hp_strvec_release(&rs->adv[i].cves);
		free(rs->adv[i].severity);
		free(rs->adv[i].issued);
	}
	free(rs->adv);
	free(rs->adv_by_str);
	if (rs->pool)
		pool_free(rs->pool);
	hp_reposcan_init(rs);
}

static void fill_pkg(Pool *pool, Solvable *s, struct hp_repo_pkg *out)
{
	const char *loc = solvable_lookup_location(s, NULL);
	Id type = 0;
	const char *chk = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type);

	out->name = hp_xstrdup(pool_id2str(pool, s->name));
	out->evr = hp_xstrdup(pool_id2str(pool, s->evr));
	out->arch = hp_xstrdup(pool_id2str(pool, s->arch));
	out->location = hp_xstrdup(loc);
	out->pkgid = hp_xstrdup(chk);
}

static int load_primary(Repo *repo, const char *path, struct hp_strbuf *err)
{
	struct hp_xml_stream *xs;
	int parsed;

	/* Our codecs, not solv_xfopen's: progress and size are checked, and
	 * the token guard runs before libsolv sees a byte (hp_xmlstream.h). */
	if (!(xs = hp_xml_stream_open(path, HP_READ_MAX_DEFAULT, (size_t)1 << 30, err)))
		return -1;
	parsed = repo_add_rpmmd(repo, hp_xml_stream_file(xs), NULL, 0);
	if (hp_xml_stream_close(xs))
		return -1;
	if (parsed)
		return hp_error(err, "cannot parse '%s': %s", path, pool_errstr(repo->pool));
	return 0;
}

static int cmp_location(const void *a, const void *b)
{
	const struct hp_repo_pkg *x = a, *y = b;

	return strcmp(x->location ? x->location : "", y->location ? y->location : "");
}

static int provides_hotpatch(Pool *pool, Solvable *s)
{
	Id *pp, id;

	if (!s->provides)
		return 0;
	for (pp = s->repo->idarraydata + s->provides; (id = *pp); pp++) {
		Id name = ISRELDEP(id) ? GETRELDEP(pool, id)->name : id;

		const char *n = pool_id2str(pool, name);

		/* an engine provide without a target is a broken hotpatch:
		 * select it too, so that the lint names it */
		if (!strncmp(n, "hotpatch(", 9) || !strncmp(n, "hotpatch-engine(", 16))
			return 1;
	}
	return 0;
}

static int severity_rank(const char *s)
{
	static const char *const order[] = { "low", "moderate", "important", "critical" };

	for (int i = 0; s && i < 4; i++)
		if (!strcasecmp(s, order[i]))
			return i + 1;
	return 0;
}

static struct hp_pkg_advisories *adv_slot(struct hp_reposcan *rs, Pool *pool, const char *nevra)
{
	Id id = pool_str2id(pool, nevra, 1);
	struct hp_pkg_advisories *a;

	if ((size_t)id >= rs->nr_adv_by_str) {
		size_t n = rs->nr_adv_by_str * 2;

		if (n < (size_t)id + 1024)
			n = (size_t)id + 1024;
		rs->adv_by_str = hp_xrealloc(rs->adv_by_str, n * sizeof(int));
		memset(rs->adv_by_str + rs->nr_adv_by_str, 0,
		       (n - rs->nr_adv_by_str) * sizeof(int));
		rs->nr_adv_by_str = n;
	}
	if (rs->adv_by_str[id])
		return &rs->adv[rs->adv_by_str[id] - 1];
	HP_ALLOC_GROW(rs->adv, rs->nr_adv + 1, rs->alloc_adv);
	a = &rs->adv[rs->nr_adv++];
	memset(a, 0, sizeof(*a));
	rs->adv_by_str[id] = (int)rs->nr_adv;
	return a;
}

/* Called per (advisory, package) by hp_updateinfo_read: the advisory's
 * facts are merged into the package's slot (indexed by pooled NEVRA string). */
static void merge_advisory(const struct hp_advisory *a, const char *name, const char *evr,
			   const char *arch, void *data)
{
	struct hp_reposcan *rs = data;
	char *nevra = hp_xasprintf("%s-%s.%s", name, evr, arch);
	struct hp_pkg_advisories *adv = adv_slot(rs, rs->pool, nevra);
	char date[11] = "";

	if (a->issued)
		hp_format_date(a->issued, date);
	if (!hp_strvec_contains(&adv->advisories, a->id))
		hp_strvec_push(&adv->advisories, a->id);
	for (size_t j = 0; j < a->cves->nr; j++)
		if (!hp_strvec_contains(&adv->cves, a->cves->v[j]))
			hp_strvec_push(&adv->cves, a->cves->v[j]);
	if (a->severity && *a->severity &&
	    severity_rank(a->severity) >= severity_rank(adv->severity)) {
		free(adv->severity);
		adv->severity = hp_xstrdup(a->severity);
	}
	if (*date && (!adv->issued || strcmp(date, adv->issued) > 0)) {
		free(adv->issued);
		adv->issued = hp_xstrdup(date);
	}
	if (a->reboot_suggested)
		adv->reboot_suggested = 1;
	free(nevra);
}

int hp_reposcan_open(struct hp_reposcan *rs, const char *repodir, struct hp_strbuf *err)
{
	struct hp_repomd md;
	const struct hp_repomd_entry *e;
	char *repomd_path = NULL, *path = NULL;
	struct stat st;
	Pool *pool;
	Repo *repo;
	Id p;
	Solvable *s;
	size_t alloc = 0;
	int ret = -1;

	hp_repomd_init(&md);
	hp_reposcan_release(rs);
	rs->repodir = hp_xstrdup(repodir);
	repomd_path = hp_xasprintf("%s/repodata/repomd.xml", repodir);
	if (stat(repomd_path, &st) || !S_ISREG(st.st_mode)) {
		hp_error(err, "'%s': not a repository (no repodata/repomd.xml); run createrepo_c first",
			 repodir);
		goto out;
	}
	if (hp_repomd_read(&md, repomd_path, err))
		goto out;
	if (!(e = hp_repomd_find(&md, "primary"))) {
		hp_error(err, "'%s': repomd.xml lists no primary metadata", repomd_path);
		goto out;
	}
	rs->pool = pool = pool_create();
	pool_setdisttype(pool, DISTTYPE_RPM);
	rs->primary = repo = repo_create(pool, "primary");
	path = hp_path_join(repodir, e->location);
	if (load_primary(repo, path, err))
		goto out;
	FOR_REPO_SOLVABLES(repo, p, s) {
		if (!provides_hotpatch(pool, s))
			continue;
		HP_ALLOC_GROW(rs->hotpatches, rs->nr_hotpatches + 1, alloc);
		hp_repo_pkg_init(&rs->hotpatches[rs->nr_hotpatches]);
		fill_pkg(pool, s, &rs->hotpatches[rs->nr_hotpatches++]);
	}
	if (rs->nr_hotpatches)
		qsort(rs->hotpatches, rs->nr_hotpatches, sizeof(*rs->hotpatches), cmp_location);
	if ((e = hp_repomd_find(&md, "updateinfo"))) {
		free(path);
		path = hp_path_join(repodir, e->location);
		if (hp_updateinfo_read(path, merge_advisory, rs, err))
			goto out;
		rs->has_updateinfo = 1;
	}
	pool_createwhatprovides(pool);
	ret = 0;
out:
	free(repomd_path);
	free(path);
	hp_repomd_release(&md);
	return ret;
}

static Solvable *find_solvable(struct hp_reposcan *rs, const char *name, const char *evr)
{
	Pool *pool = rs->pool;
	Id nameid, p, pp;

	if (!pool || !(nameid = pool_str2id(pool, name, 0)))
		return NULL;
	FOR_PROVIDES(p, pp, nameid) {
		Solvable *s = pool->solvables + p;

		if (s->name != nameid || s->repo != rs->primary)
			continue;
		if (pool_evrcmp_str(pool, pool_id2str(pool, s->evr), evr, EVRCMP_COMPARE) == 0)
			return s;
	}
	return NULL;
}

int hp_reposcan_find(struct hp_reposcan *rs, const char *name, const char *evr,
		     struct hp_repo_pkg *out)
{
	Solvable *s = find_solvable(rs, name, evr);

	hp_repo_pkg_release(out);
	if (!s)
		return -1;
	fill_pkg(rs->pool, s, out);
	return 0;
}

/* "/lib/modules/<release>/vmlinuz" (or under /usr) -> <release>. */
static char *release_from_files(const struct hp_strvec *files)
{
	static const char *const prefixes[] = { "/lib/modules/", "/usr/lib/modules/" };

	for (size_t i = 0; i < files->nr; i++) {
		for (int j = 0; j < 2; j++) {
			const char *f = files->v[i];
			size_t pl = strlen(prefixes[j]);
			const char *slash;

			if (strncmp(f, prefixes[j], pl))
				continue;
			f += pl;
			slash = strchr(f, '/');
			if (slash && slash != f && !strcmp(slash, "/vmlinuz"))
				return hp_xstrndup(f, (size_t)(slash - f));
		}
	}
	return NULL;
}

int hp_reposcan_kernel_release(struct hp_reposcan *rs, const char *name, const char *evr,
			       char **out, struct hp_strbuf *err)
{
	Pool *pool = rs->pool;
	Solvable *s = find_solvable(rs, name, evr);
	struct hp_pkghdr hdr;
	const char *loc;
	char *path;
	Id *pp, id;
	int ret = -1;

	*out = NULL;
	if (!s)
		return hp_error(err, "the build %s-%s is not in the repository", name, evr);
	if (s->provides) {
		for (pp = s->repo->idarraydata + s->provides; (id = *pp); pp++) {
			Reldep *rd;

			if (!ISRELDEP(id))
				continue;
			rd = GETRELDEP(pool, id);
			if (!strcmp(pool_id2str(pool, rd->name), "kernel-uname-r") &&
			    rd->flags == REL_EQ) {
				*out = hp_xstrdup(pool_id2str(pool, rd->evr));
				return 0;
			}
		}
	}
	/* Debian-style releases (6.1.0-57-amd64) cannot be an rpm version, so the
	 * package may only name its release through the files it owns; primary
	 * does not list them, the header does. */
	hp_pkghdr_init(&hdr);
	loc = solvable_lookup_location(s, NULL);
	if (!loc || loc[0] == '/' || !strncmp(loc, "../", 3) || strstr(loc, "/../")) {
		hp_error(err, "the build %s-%s has a location outside the repository", name, evr);
		path = NULL;
		goto out;
	}
	path = hp_path_join(rs->repodir, loc);
	if (hp_pkghdr_read(&hdr, path, err))
		goto out;
	if (!(*out = release_from_files(&hdr.files))) {
		hp_error(err, "the build %s-%s names no kernel release (no kernel-uname-r provide, no /lib/modules/<release>/vmlinuz)",
			 name, evr);
		goto out;
	}
	ret = 0;
out:
	free(path);
	hp_pkghdr_release(&hdr);
	return ret;
}

const struct hp_pkg_advisories *hp_reposcan_advisories(const struct hp_reposcan *rs,
						       const char *nevra)
{
	Id id;

	if (!rs->pool || !rs->adv_by_str)
		return NULL;
	id = pool_str2id(rs->pool, nevra, 0);
	if (!id || (size_t)id >= rs->nr_adv_by_str || !rs->adv_by_str[id])
		return NULL;
	return &rs->adv[rs->adv_by_str[id] - 1];
}
