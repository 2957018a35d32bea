/* Installed hotpatch packages: read from the rpmdb, selected for the
 * running builds, turned into engine items, asked whether live. See
 * hp_installed.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rpm/header.h>
#include <rpm/rpmds.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmpgp.h>

#include "hp_evr.h"
#include "hp_installed.h"
#include "hp_modinfo.h"
#include "hp_rpmdb.h"

#define PAYLOAD_ROOT "/usr/lib/hotpatch/"

void hp_live_pkg_release(struct hp_live_pkg *p)
{
	free(p->name);
	free(p->evr);
	free(p->arch);
	free(p->nevra);
	free(p->component);
	free(p->build);
	free(p->engine);
	free(p->payload);
	free(p->payload_sha256);
	memset(p, 0, sizeof(*p));
}

void hp_live_pkgs_init(struct hp_live_pkgs *s)
{
	memset(s, 0, sizeof(*s));
}

void hp_live_pkgs_release(struct hp_live_pkgs *s)
{
	for (size_t i = 0; i < s->nr; i++)
		hp_live_pkg_release(&s->v[i]);
	free(s->v);
	hp_live_pkgs_init(s);
}

struct hp_live_pkg *hp_live_pkgs_add(struct hp_live_pkgs *s, const struct hp_live_pkg *p)
{
	struct hp_live_pkg *n;

	HP_ALLOC_GROW(s->v, s->nr + 1, s->alloc);
	n = &s->v[s->nr++];
	n->name = hp_xstrdup(p->name);
	n->evr = hp_xstrdup(p->evr);
	n->arch = hp_xstrdup(p->arch);
	n->nevra = p->nevra ? hp_xstrdup(p->nevra)
			    : hp_xasprintf("%s-%s.%s", p->name, p->evr, p->arch ? p->arch : "noarch");
	n->component = hp_xstrdup(p->component);
	n->build = hp_xstrdup(p->build);
	n->engine = hp_xstrdup(p->engine);
	n->payload = hp_xstrdup(p->payload);
	n->payload_sha256 = hp_xstrdup(p->payload_sha256);
	return n;
}

const struct hp_live_pkg *hp_live_pkgs_find(const struct hp_live_pkgs *s, const char *name,
					    const char *evr)
{
	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->v[i].name, name) && (!evr || !hp_evr_match(s->v[i].evr, evr)))
			return &s->v[i];
	return NULL;
}

/* --- rpmdb --- */

/* Component, build and engine from the provides; 0 when it is no hotpatch. */
static int read_provides(Header h, struct hp_live_pkg *p)
{
	rpmds ds = rpmdsNew(h, RPMTAG_PROVIDENAME, 0);

	while (rpmdsNext(ds) >= 0) {
		const char *n = rpmdsN(ds), *evr = rpmdsEVR(ds);
		size_t len = strlen(n);

		if (!p->component && !strncmp(n, "hotpatch(", 9) && len > 10 && n[len - 1] == ')' &&
		    (rpmdsFlags(ds) & RPMSENSE_SENSEMASK) == RPMSENSE_EQUAL && evr && *evr) {
			p->component = hp_xstrndup(n + 9, len - 10);
			p->build = hp_xstrdup(evr);
		} else if (!p->engine && !strncmp(n, "hotpatch-engine(", 16) && len > 17 &&
			   n[len - 1] == ')') {
			p->engine = hp_xstrndup(n + 16, len - 17);
		}
	}
	rpmdsFree(ds);
	return p->component != NULL;
}

/* The payload: a regular file below /usr/lib/hotpatch/<component>/<build>/,
 * a module (.ko, .ko.xz, .ko.zst) preferred; its digest when the package
 * uses sha256. */
static void read_payload(Header h, struct hp_live_pkg *p)
{
	rpmfiles files = rpmfilesNew(NULL, h, 0, RPMFI_KEEPHEADER);
	rpmfi fi = files ? rpmfilesIter(files, RPMFI_ITER_FWD) : NULL;
	char *dir = hp_xasprintf(PAYLOAD_ROOT "%s/%s/", p->component, p->build);
	size_t dlen = strlen(dir);

	while (fi && rpmfiNext(fi) >= 0) {
		const char *fn = rpmfiFN(fi);
		int is_ko = hp_module_path(fn);
		char *hex;
		int algo = 0;

		if (strncmp(fn, dir, dlen) || !S_ISREG(rpmfiFMode(fi)))
			continue;
		if (p->payload && !is_ko)
			continue;
		hex = rpmfiFDigestHex(fi, &algo);
		free(p->payload);
		free(p->payload_sha256);
		p->payload = hp_xstrdup(fn);
		p->payload_sha256 = NULL;
		if (hex && algo == PGPHASHALGO_SHA256)
			p->payload_sha256 = hex;
		else
			free(hex);
		if (is_ko)
			break;
	}
	rpmfiFree(fi);
	rpmfilesFree(files);
	free(dir);
}

/* Appends the header to the hp_live_pkgs `data` when it is a hotpatch. */
static int add_installed(Header h, void *data)
{
	struct hp_live_pkg p = { 0 };

	if (!read_provides(h, &p))
		goto out;
	p.name = hp_xstrdup(headerGetString(h, RPMTAG_NAME));
	p.evr = headerGetAsString(h, RPMTAG_EVR);
	p.arch = hp_xstrdup(headerGetString(h, RPMTAG_ARCH));
	p.nevra = hp_xasprintf("%s-%s.%s", p.name, p.evr, p.arch ? p.arch : "noarch");
	read_payload(h, &p);
	hp_live_pkgs_add(data, &p);
out:
	hp_live_pkg_release(&p);
	return 0;
}

int hp_live_read_installed(const char *root, const char *dbpath, struct hp_live_pkgs *out,
			   struct hp_strbuf *err)
{
	struct hp_rpmdb db = HP_RPMDB_INIT;

	if (hp_rpmdb_open(&db, root, dbpath, err))
		return -1;
	hp_rpmdb_foreach(&db, add_installed, out);
	hp_rpmdb_close(&db);
	return 0;
}

/* --- selection --- */

static const struct hp_running *running_of(const struct hp_running *running, size_t nr,
					   const char *name)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(running[i].name, name))
			return &running[i];
	return NULL;
}

static int wanted_match(const struct hp_strvec *wanted, const struct hp_live_pkg *p)
{
	return hp_strvec_contains(wanted, p->name) || hp_strvec_contains(wanted, p->nevra);
}

int hp_live_select(const struct hp_live_pkgs *in, const struct hp_running *running,
		   size_t nr_running, const struct hp_strvec *wanted, size_t **sel, size_t *nr,
		   struct hp_strvec *notes, struct hp_strbuf *err)
{
	int *ok = hp_xcalloc(in->nr + 1, sizeof(*ok));
	int ret = 0;

	*sel = hp_xcalloc(in->nr + 1, sizeof(**sel));
	*nr = 0;
	for (size_t i = 0; i < in->nr; i++) {
		const struct hp_live_pkg *p = &in->v[i];
		const struct hp_running *r = running_of(running, nr_running, p->component);

		if (!r) {
			if (notes)
				hp_strvec_pushf(notes, "%s: %s is not running here", p->nevra,
						p->component);
			continue;
		}
		if (hp_evr_match(p->build, r->evr)) {
			if (notes)
				hp_strvec_pushf(notes, "%s: patches %s-%s, but %s-%s is running",
						p->nevra, p->component, p->build, r->name, r->evr);
			continue;
		}
		ok[i] = 1;
	}
	/* Newest of each series only (older versions may linger in an rpmdb
	 * after an interrupted upgrade, or be installed side by side). */
	for (size_t i = 0; i < in->nr; i++) {
		for (size_t k = 0; ok[i] && k < in->nr; k++) {
			if (k == i || !ok[k] || strcmp(in->v[i].name, in->v[k].name))
				continue;
			if (hp_evr_match(in->v[k].evr, in->v[i].evr) > 0 ||
			    (!hp_evr_match(in->v[k].evr, in->v[i].evr) && k < i)) {
				ok[i] = 0;
				if (notes)
					hp_strvec_pushf(notes, "%s: %s is newer in the same series",
							in->v[i].nevra, in->v[k].nevra);
			}
		}
	}
	for (size_t w = 0; wanted && w < wanted->nr; w++) {
		int known = 0, usable = 0;

		for (size_t i = 0; i < in->nr; i++) {
			struct hp_strvec one = HP_STRVEC_INIT;

			hp_strvec_push(&one, wanted->v[w]);
			if (wanted_match(&one, &in->v[i])) {
				known = 1;
				usable |= ok[i];
			}
			hp_strvec_release(&one);
		}
		if (!known)
			ret = hp_error(err, "'%s' is not an installed hotpatch package", wanted->v[w]);
		else if (!usable)
			ret = hp_error(err, "'%s' is not for a running build (or a newer version of "
				       "it is installed)", wanted->v[w]);
	}
	for (size_t i = 0; i < in->nr; i++)
		if (ok[i] && (!wanted || !wanted->nr || wanted_match(wanted, &in->v[i])))
			(*sel)[(*nr)++] = i;
	free(ok);
	return ret;
}

const struct hp_hotpatch *hp_live_find_published(const struct hp_meta *const *metas,
						 size_t nr_metas, const struct hp_live_pkg *p)
{
	for (size_t m = 0; m < nr_metas; m++) {
		for (size_t i = 0; metas[m] && i < metas[m]->nr_hotpatches; i++) {
			const struct hp_hotpatch *h = &metas[m]->hotpatches[i];
			char *evr;
			int same;

			if (strcmp(h->name, p->name) || (h->arch && p->arch && strcmp(h->arch, p->arch)))
				continue;
			evr = hp_hotpatch_evr(h);
			same = !hp_evr_match(evr, p->evr);
			free(evr);
			if (same)
				return h;
		}
	}
	return NULL;
}

int hp_live_item_fill(struct hp_engine_item *it, const struct hp_live_pkg *p,
		      const struct hp_hotpatch *pub, struct hp_strbuf *err)
{
	memset(it, 0, sizeof(*it));
	it->package = p->nevra;
	it->component = p->component;
	it->build = p->build;
	it->payload = p->payload;
	it->payload_sha256 = p->payload_sha256;
	if (!p->payload)
		return hp_error(err, "%s: no payload below " PAYLOAD_ROOT "%s/%s/ in the package",
				p->nevra, p->component, p->build);
	if (pub) {
		if (pub->payload && strcmp(pub->payload, p->payload))
			return hp_error(err, "%s: installed payload '%s' is not the published '%s'",
					p->nevra, p->payload, pub->payload);
		it->payload_sha256 = pub->payload_sha256;
	}
	return 0;
}

/* The engines' view of `root`. Returns the malloc'd exec engine directory
 * <root>HP_SYSCONFDIR/hotpatch/engines.d (<root>/etc/... in packages), the
 * one cfg->exec_conf_dir points at, which the caller frees after the last
 * use of `cfg`; NULL (the engines' default) when `root` is NULL or "/". */
char *hp_live_engine_config(struct hp_engine_config *cfg, const char *root,
			    const char *kernel_release, unsigned timeout)
{
	const char *env = getenv("HP_KLP_TIMEOUT");
	char *conf_dir = NULL;

	memset(cfg, 0, sizeof(*cfg));
	cfg->root_dir = root;
	if (root && *root && strcmp(root, "/")) {
		size_t n = strlen(root);

		while (n > 1 && root[n - 1] == '/')
			n--;
		conf_dir = hp_xasprintf("%.*s" HP_SYSCONFDIR "/hotpatch/engines.d", (int)n, root);
		cfg->exec_conf_dir = conf_dir;
	}
	cfg->kernel_release = kernel_release;
	cfg->transition_timeout = timeout;
	if (!timeout && env && *env)
		cfg->transition_timeout = (unsigned)strtoul(env, NULL, 10);
	return conf_dir;
}

int hp_live_pkg_is_live(const struct hp_live_pkg *p, const char *root,
			const char *kernel_release, struct hp_strbuf *err)
{
	return hp_live_pkg_is_live_detail(p, root, kernel_release, NULL, err);
}

int hp_live_pkg_is_live_detail(const struct hp_live_pkg *p, const char *root,
			       const char *kernel_release, struct hp_strbuf *detail,
			       struct hp_strbuf *err)
{
	struct hp_engine_config cfg;
	struct hp_engine_item it;
	struct hp_engine *e = NULL;
	char *conf_dir;
	int ret = -1;

	if (!p->engine)
		return hp_error(err, "%s: the package names no engine", p->nevra);
	if (hp_live_item_fill(&it, p, NULL, err))
		return -1;
	it.payload_sha256 = NULL;   /* a question, not an apply */
	conf_dir = hp_live_engine_config(&cfg, root, kernel_release, 0);
	e = hp_engine_get(p->engine, &cfg, err);
	if (e)
		ret = hp_engine_is_live(e, &it, err);
	if (ret >= 0 && detail && hp_engine_describe(e, &it, detail, err))
		ret = -1;
	hp_engine_free(e);
	free(conf_dir);
	return ret;
}
