/* Whether one hotpatch package may be published: the packaging convention of
 * DESIGN.md checked against the package's header, payload and, for kernel
 * livepatch modules, the kernel build it targets. Pure function of the facts
 * gathered in struct hp_candidate, so it is unit-tested on model data. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rpm/rpmds.h>
#include <rpm/rpmpgp.h>

#include "hp_publish.h"

void hp_candidate_init(struct hp_candidate *c)
{
	memset(c, 0, sizeof(*c));
	hp_pkghdr_init(&c->hdr);
	hp_payload_init(&c->payload);
}

void hp_candidate_release(struct hp_candidate *c)
{
	hp_pkghdr_release(&c->hdr);
	hp_payload_release(&c->payload);
	free(c->location);
	free(c->pkgid);
	free(c->payload_error);
	free(c->kernel_release);
	free(c->kernel_release_error);
	hp_candidate_init(c);
}

/* "prefix(X)" -> X (malloc'd) when `name` has that shape, else NULL. */
static char *paren_arg(const char *name, const char *prefix)
{
	size_t pl = strlen(prefix), nl = strlen(name);

	if (nl < pl + 2 || strncmp(name, prefix, pl) || name[pl] != '(' || name[nl - 1] != ')')
		return NULL;
	return hp_xstrndup(name + pl + 1, nl - pl - 2);
}

static size_t count_prefixed(const struct hp_pkghdr *h, const char *prefix, const struct hp_dep **first)
{
	size_t n = 0;

	*first = NULL;
	for (size_t i = 0; i < h->nr_provides; i++) {
		char *arg = paren_arg(h->provides[i].name, prefix);

		if (!arg)
			continue;
		free(arg);
		if (!n++)
			*first = &h->provides[i];
	}
	return n;
}

int hp_candidate_target(const struct hp_pkghdr *h, char **component, char **build,
			char **engine)
{
	const struct hp_dep *hp, *en;

	*component = *build = *engine = NULL;
	if (count_prefixed(h, "hotpatch", &hp) == 1 && hp->evr &&
	    (hp->sense & RPMSENSE_SENSEMASK) == RPMSENSE_EQUAL) {
		*component = paren_arg(hp->name, "hotpatch");
		*build = hp_xstrdup(hp->evr);
	}
	if (count_prefixed(h, "hotpatch-engine", &en) == 1)
		*engine = paren_arg(en->name, "hotpatch-engine");
	return *component && *build && *engine ? 0 : -1;
}

static int under_dir(const char *path, const char *dir)
{
	return !strncmp(path, dir, strlen(dir)) && !strstr(path, "/../");
}

/* Files rpmbuild adds on its own are allowed beside the payload. */
static int is_doc_file(const char *path)
{
	return !strncmp(path, "/usr/share/doc/", 15) || !strncmp(path, "/usr/share/licenses/", 20);
}

/* The header's digest of `path`, or NULL. */
static const char *header_digest(const struct hp_pkghdr *h, const char *path)
{
	for (size_t i = 0; i < h->files.nr && i < h->digests.nr; i++)
		if (!strcmp(h->files.v[i], path))
			return h->digests.v[i];
	return NULL;
}

static void problem(struct hp_strbuf *problems, int *n, const char *nevra, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct hp_strbuf *problems, int *n, const char *nevra, const char *fmt, ...)
{
	struct hp_strbuf line = HP_STRBUF_INIT;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	hp_strbuf_addf(&line, "%s: %s", nevra, msg ? msg : "out of memory");
	if (problems->len)
		hp_strbuf_adds(problems, "\n");
	hp_strbuf_add(problems, line.buf, line.len);
	hp_strbuf_release(&line);
	free(msg);
	(*n)++;
}

/* The hotpatch() provide: component and build, or problems. */
static void lint_target(const struct hp_pkghdr *h, const char *nevra, char **component,
			const char **build, struct hp_strbuf *problems, int *n)
{
	const struct hp_dep *hp;
	size_t nr = count_prefixed(h, "hotpatch", &hp);

	*component = NULL;
	*build = NULL;
	if (nr == 0) {
		problem(problems, n, nevra, "no 'Provides: hotpatch(<component>) = <build EVR>'");
		return;
	}
	if (nr > 1) {
		problem(problems, n, nevra, "%zu hotpatch() provides; a hotpatch patches exactly one build", nr);
		return;
	}
	if (!hp->evr || (hp->sense & RPMSENSE_SENSEMASK) != RPMSENSE_EQUAL) {
		problem(problems, n, nevra, "'Provides: %s' must be '= <build EVR>'", hp->name);
		return;
	}
	*component = paren_arg(hp->name, "hotpatch");
	*build = hp->evr;
	if (!**component) {
		problem(problems, n, nevra, "'Provides: %s' names no component", hp->name);
		free(*component);
		*component = NULL;
	} else if (!hp_evr_valid(hp->evr)) {
		problem(problems, n, nevra, "'Provides: %s = %s': build is not of the form [E:]V-R",
			hp->name, hp->evr);
		free(*component);
		*component = NULL;
	}
}

static void lint_requires(const struct hp_pkghdr *h, const char *nevra, const char *component,
			  const char *build, struct hp_strbuf *problems, int *n)
{
	const struct hp_dep *req = NULL;

	for (size_t i = 0; i < h->nr_requires; i++)
		if (!strcmp(h->requires[i].name, component)) {
			req = &h->requires[i];
			break;
		}
	if (!req) {
		problem(problems, n, nevra, "'Requires: %s = %s' is missing (Provides hotpatch(%s) = %s)",
			component, build, component, build);
		return;
	}
	if (!req->evr || (req->sense & RPMSENSE_SENSEMASK) != RPMSENSE_EQUAL ||
	    hp_evr_cmp(req->evr, build)) {
		problem(problems, n, nevra,
			"Provides hotpatch(%s) = %s but Requires %s%s%s: they must name the same build",
			component, build, component, req->evr ? " = " : "", req->evr ? req->evr : "");
	}
}

static int in_baselines(const struct hp_meta *bl, const char *component, const char *build)
{
	for (size_t i = 0; i < bl->nr_baselines; i++) {
		const struct hp_build *b = hp_baseline_find_build(&bl->baselines[i], component);

		if (b && !hp_evr_cmp(b->evr, build))
			return 1;
	}
	return 0;
}

/* Engines whose payload is a kernel module: kpatch loads the same kind of
 * livepatch .ko that kpatch-build makes, so both get the module checks. */
static int module_engine(const char *engine)
{
	return engine && (!strcmp(engine, "klp") || !strcmp(engine, "kpatch"));
}

/* The payload: files under /usr/lib/hotpatch/<C>/<build>/ matching the
 * header's digests; returns the payload file (klp, kpatch: the single .ko). */
static const struct hp_payload_file *lint_payload(const struct hp_candidate *c, const char *nevra,
						  const char *engine, const char *dir,
						  struct hp_strbuf *problems, int *n)
{
	const struct hp_payload_file *found = NULL;
	size_t nr_in = 0, nr_ko = 0;
	int klp = module_engine(engine);
	int before = *n;

	if (c->payload_error) {
		problem(problems, n, nevra, "cannot read the payload: %s", c->payload_error);
		return NULL;
	}
	for (size_t i = 0; i < c->payload.nr; i++) {
		const struct hp_payload_file *f = &c->payload.files[i];
		const char *hd = header_digest(&c->hdr, f->path);

		if (!under_dir(f->path, dir)) {
			if (!is_doc_file(f->path))
				problem(problems, n, nevra, "payload file '%s' is not under %s", f->path, dir);
			continue;
		}
		if (c->hdr.digest_algo == PGPHASHALGO_SHA256 && hd && strcmp(hd, f->sha256))
			problem(problems, n, nevra,
				"payload file '%s': sha256 %s does not match the rpm header's digest %s",
				f->path, f->sha256, hd);
		nr_in++;
		if (f->is_module)
			nr_ko++;
		/* module engines take the .ko; the others their single file,
		 * whatever its name (an exec engine's payload may end in .ko) */
		if (!found && (f->is_module || !klp))
			found = f;
	}
	if (!nr_in) {
		problem(problems, n, nevra, "payload missing: no file under %s", dir);
		return NULL;
	}
	if (klp && nr_ko == 0) {
		problem(problems, n, nevra, "%s hotpatch has no .ko module under %s", engine, dir);
		return NULL;
	}
	if (klp && nr_ko > 1) {
		problem(problems, n, nevra, "%s hotpatch has %zu .ko modules under %s; exactly one allowed",
			engine, nr_ko, dir);
		return NULL;
	}
	if (!klp && nr_in > 1) {
		problem(problems, n, nevra, "%s hotpatch has %zu payload files under %s; exactly one allowed",
			engine ? engine : "this", nr_in, dir);
		return NULL;
	}
	/* Defensive: the rules above always find the file; never hand the
	 * caller NULL without a problem saying why. */
	if (*n == before && !found)
		problem(problems, n, nevra, "no payload file for engine '%s' under %s",
			engine ? engine : "?", dir);
	return *n == before ? found : NULL;
}

static void lint_module(const struct hp_candidate *c, const char *nevra,
			const struct hp_payload_file *ko, struct hp_strbuf *problems, int *n)
{
	const struct hp_modinfo *mi = &ko->modinfo;
	char *rel;

	if (ko->modinfo_error || !mi->vermagic) {
		problem(problems, n, nevra, "%s", ko->modinfo_error ? ko->modinfo_error :
			"module .modinfo has no vermagic");
		return;
	}
	if (!mi->livepatch || strcmp(mi->livepatch, "Y"))
		problem(problems, n, nevra, "module '%s' is not a livepatch module (no livepatch=Y in .modinfo)",
			ko->path);
	rel = hp_vermagic_release(mi->vermagic);
	if (c->kernel_release_error)
		problem(problems, n, nevra, "cannot check the module's vermagic: %s",
			c->kernel_release_error);
	else if (!c->kernel_release)
		problem(problems, n, nevra, "cannot check the module's vermagic: kernel release unknown");
	else if (strcmp(rel, c->kernel_release))
		problem(problems, n, nevra,
			"module '%s' vermagic '%s' does not match the kernel build's release %s",
			ko->path, mi->vermagic, c->kernel_release);
	free(rel);
}

int hp_publish_lint(const struct hp_candidate *c, const struct hp_meta *baselines,
		    struct hp_hotpatch *out, struct hp_strbuf *problems)
{
	char *nevra = hp_pkghdr_nevra(&c->hdr);
	char *component = NULL, *engine = NULL;
	const char *build;
	const struct hp_payload_file *pf = NULL;
	const struct hp_dep *en;
	size_t nr_engines;
	char *dir = NULL;
	int n = 0;

	hp_hotpatch_release(out);
	lint_target(&c->hdr, nevra, &component, &build, problems, &n);
	nr_engines = count_prefixed(&c->hdr, "hotpatch-engine", &en);
	if (nr_engines == 0)
		problem(problems, &n, nevra, "no 'Provides: hotpatch-engine(<engine>)'");
	else if (nr_engines > 1)
		problem(problems, &n, nevra, "%zu hotpatch-engine() provides; exactly one allowed",
			nr_engines);
	else
		engine = paren_arg(en->name, "hotpatch-engine");
	if (component) {
		lint_requires(&c->hdr, nevra, component, build, problems, &n);
		if (!in_baselines(baselines, component, build))
			problem(problems, &n, nevra,
				"build %s = %s is in no baseline (add one with 'hotpatch-repo baseline add')",
				component, build);
		dir = hp_xasprintf(HP_PAYLOAD_ROOT "%s/%s/", component, build);
		pf = lint_payload(c, nevra, engine, dir, problems, &n);
		if (pf && module_engine(engine))
			lint_module(c, nevra, pf, problems, &n);
	}
	if (n)
		goto out;
	out->name = hp_xstrdup(c->hdr.name);
	out->epoch = hp_xstrdup(c->hdr.epoch);
	out->version = hp_xstrdup(c->hdr.version);
	out->release = hp_xstrdup(c->hdr.release);
	out->arch = hp_xstrdup(c->hdr.arch);
	out->component = hp_xstrdup(component);
	out->build = hp_xstrdup(build);
	out->engine = hp_xstrdup(engine);
	out->payload = hp_xstrdup(pf->path);
	out->payload_sha256 = hp_xstrdup(pf->sha256);
	out->location = hp_xstrdup(c->location);
	if (c->adv) {
		out->severity = hp_xstrdup(c->adv->severity);
		out->issued = hp_xstrdup(c->adv->issued);
		out->reboot_suggested = c->adv->reboot_suggested;
		for (size_t i = 0; i < c->adv->cves.nr; i++)
			hp_strvec_push(&out->cves, c->adv->cves.v[i]);
		for (size_t i = 0; i < c->adv->advisories.nr; i++)
			hp_strvec_push(&out->advisories, c->adv->advisories.v[i]);
	}
	if (!out->issued) {
		char date[11];

		hp_format_date((time_t)c->hdr.buildtime, date);
		out->issued = hp_xstrdup(date);
	}
out:
	free(component);
	free(engine);
	free(dir);
	free(nevra);
	return n;
}
