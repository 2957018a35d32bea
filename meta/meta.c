/* The hotpatch metadata model: lifecycle, lookups and validation.
 * The XML codec lives in meta_xml.c; docs/hotpatch-metadata.md documents the
 * fields and the rules checked here. */
#include "hp_meta.h"
#include "hp_evr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void hp_meta_init(struct hp_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->format = HP_META_FORMAT_VERSION;
}

void hp_meta_release(struct hp_meta *m)
{
	free(m->repo);
	for (size_t i = 0; i < m->nr_baselines; i++)
		hp_baseline_release(&m->baselines[i]);
	free(m->baselines);
	for (size_t i = 0; i < m->nr_hotpatches; i++)
		hp_hotpatch_release(&m->hotpatches[i]);
	free(m->hotpatches);
	hp_meta_init(m);
}

void hp_baseline_init(struct hp_baseline *b)
{
	memset(b, 0, sizeof(*b));
	b->kind = HP_BASELINE_PLANNED;
}

void hp_baseline_release(struct hp_baseline *b)
{
	free(b->id);
	free(b->issued);
	free(b->supported_until);
	for (size_t i = 0; i < b->nr_builds; i++) {
		free(b->builds[i].name);
		free(b->builds[i].evr);
	}
	free(b->builds);
	hp_baseline_init(b);
}

void hp_baseline_add_build(struct hp_baseline *b, const char *name, const char *evr)
{
	HP_ALLOC_GROW(b->builds, b->nr_builds + 1, b->alloc_builds);
	b->builds[b->nr_builds].name = hp_xstrdup(name);
	b->builds[b->nr_builds].evr = hp_xstrdup(evr);
	b->nr_builds++;
}

const struct hp_build *hp_baseline_find_build(const struct hp_baseline *b, const char *name)
{
	/* A baseline holds a handful of components: a linear scan is right. */
	for (size_t i = 0; i < b->nr_builds; i++)
		if (b->builds[i].name && !strcmp(b->builds[i].name, name))
			return &b->builds[i];
	return NULL;
}

void hp_hotpatch_init(struct hp_hotpatch *h)
{
	memset(h, 0, sizeof(*h));
	hp_strvec_init(&h->cves);
	hp_strvec_init(&h->advisories);
}

void hp_hotpatch_release(struct hp_hotpatch *h)
{
	free(h->name);
	free(h->epoch);
	free(h->version);
	free(h->release);
	free(h->arch);
	free(h->component);
	free(h->build);
	free(h->engine);
	free(h->payload);
	free(h->payload_sha256);
	free(h->location);
	free(h->severity);
	free(h->issued);
	hp_strvec_release(&h->cves);
	hp_strvec_release(&h->advisories);
	hp_hotpatch_init(h);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* rpm treats a missing epoch as 0, so "0" is left out as rpm -q does: the
 * same package then has one spelling (duplicate checks rely on it). */
static int has_epoch(const char *epoch)
{
	return epoch && *epoch && strcmp(epoch, "0");
}

char *hp_hotpatch_evr(const struct hp_hotpatch *h)
{
	if (has_epoch(h->epoch))
		return hp_xasprintf("%s:%s-%s", h->epoch, nz(h->version), nz(h->release));
	return hp_xasprintf("%s-%s", nz(h->version), nz(h->release));
}

char *hp_hotpatch_nevra(const struct hp_hotpatch *h)
{
	char *evr = hp_hotpatch_evr(h);
	char *r = hp_xasprintf("%s-%s.%s", nz(h->name), evr, nz(h->arch));

	free(evr);
	return r;
}

struct hp_baseline *hp_meta_add_baseline(struct hp_meta *m, struct hp_baseline *b)
{
	HP_ALLOC_GROW(m->baselines, m->nr_baselines + 1, m->alloc_baselines);
	m->baselines[m->nr_baselines] = *b;
	hp_baseline_init(b);
	return &m->baselines[m->nr_baselines++];
}

struct hp_hotpatch *hp_meta_add_hotpatch(struct hp_meta *m, struct hp_hotpatch *h)
{
	HP_ALLOC_GROW(m->hotpatches, m->nr_hotpatches + 1, m->alloc_hotpatches);
	m->hotpatches[m->nr_hotpatches] = *h;
	hp_hotpatch_init(h);
	return &m->hotpatches[m->nr_hotpatches++];
}

struct hp_baseline *hp_meta_find_baseline(const struct hp_meta *m, const char *id)
{
	/* Tens of baselines per repository: linear is fine. */
	for (size_t i = 0; i < m->nr_baselines; i++)
		if (m->baselines[i].id && !strcmp(m->baselines[i].id, id))
			return &m->baselines[i];
	return NULL;
}

const char *hp_baseline_kind_name(enum hp_baseline_kind k)
{
	switch (k) {
	case HP_BASELINE_PLANNED:
		return "planned";
	case HP_BASELINE_UNPLANNED:
		return "unplanned";
	}
	return "unknown";
}

int hp_baseline_kind_parse(const char *s, enum hp_baseline_kind *k)
{
	if (!s)
		return -1;
	if (!strcmp(s, "planned")) {
		*k = HP_BASELINE_PLANNED;
		return 0;
	}
	if (!strcmp(s, "unplanned")) {
		*k = HP_BASELINE_UNPLANNED;
		return 0;
	}
	return -1;
}

/* --- validation --- */

static int is_empty(const char *s)
{
	return !s || !*s;
}

/* XML 1.0 cannot carry most C0 control characters, and none of them belongs
 * in a name, path or date; expat refuses invalid UTF-8. Refusing both here
 * keeps every valid model writable and readable back exactly. */
static int has_control(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	if (!s)
		return 0;
	for (;;) {
		size_t n;
		unsigned min;
		unsigned cp;

		/* Printable ASCII is nearly every byte of real metadata (every
		 * field of every record is checked): skip it in a tight loop. */
		while (*s >= 0x20 && *s < 0x80)
			s++;
		if (!*s)
			return 0;
		if (*s < 0x20)
			return 1;
		if ((*s & 0xe0) == 0xc0)
			n = 1, min = 0x80, cp = *s & 0x1f;
		else if ((*s & 0xf0) == 0xe0)
			n = 2, min = 0x800, cp = *s & 0x0f;
		else if ((*s & 0xf8) == 0xf0)
			n = 3, min = 0x10000, cp = *s & 0x07;
		else
			return 1;
		s++;
		for (size_t i = 0; i < n; i++, s++) {
			if ((*s & 0xc0) != 0x80)
				return 1;
			cp = (cp << 6) | (*s & 0x3f);
		}
		/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF. */
		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    cp == 0xfffe || cp == 0xffff)
			return 1;
	}
}

static int is_sha256_hex(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++, n++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return n == 64;
}

static int is_engine_name(const char *s)
{
	if (is_empty(s))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-'))
			return 0;
	return 1;
}

static int is_digits(const char *s)
{
	if (is_empty(s))
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Returns NULL when `p` is a safe payload path, else why it is not. Metadata
 * must never point an engine outside HP_PAYLOAD_ROOT (DESIGN safety rule). */
static const char *payload_problem(const char *p)
{
	size_t rootlen = strlen(HP_PAYLOAD_ROOT);
	const char *c;

	if (p[0] != '/')
		return "is not absolute";
	if (strncmp(p, HP_PAYLOAD_ROOT, rootlen) || !p[rootlen])
		return "is not below " HP_PAYLOAD_ROOT;
	/* Walk every component after the leading '/'. */
	for (c = p + 1;;) {
		const char *end = strchr(c, '/');
		size_t len = end ? (size_t)(end - c) : strlen(c);

		if (!len)
			return end ? "contains '//'" : "ends with '/'";
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return "contains a '.' or '..' component";
		if (!end)
			break;
		c = end + 1;
	}
	return NULL;
}

/* Why a package location (relative to the repository root, as in
 * primary.xml) is unsafe to join to the repository's path, or NULL: the
 * client downloads and installs what it names, so it must stay inside. */
static const char *location_problem(const char *p)
{
	if (!*p)
		return "is empty";
	if (p[0] == '/')
		return "is absolute";
	for (const char *c = p;;) {
		const char *end = strchr(c, '/');
		size_t len = end ? (size_t)(end - c) : strlen(c);

		if (len == 2 && c[0] == '.' && c[1] == '.')
			return "contains a '..' component";
		if (!end)
			break;
		c = end + 1;
	}
	return NULL;
}

struct sort_key {
	const char *key;
	size_t idx;
};

static int cmp_key(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Sorts keys and reports each key that occurs more than once (once per
 * duplicate), so uniqueness costs O(n log n) even at distribution scale. */
static int report_duplicates(struct sort_key *keys, size_t n, const char *fmt_what,
			     const char *ctx, struct hp_strbuf *err)
{
	int problems = 0;

	qsort(keys, n, sizeof(*keys), cmp_key);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(keys[i - 1].key, keys[i].key))
			continue;
		if (ctx)
			hp_error(err, "baseline '%s': %s '%s' is listed more than once", ctx,
				 fmt_what, keys[i].key);
		else
			hp_error(err, "%s '%s' is listed more than once", fmt_what, keys[i].key);
		problems++;
	}
	return problems;
}

static int validate_baseline(const struct hp_baseline *b, size_t idx, struct hp_strbuf *err)
{
	const char *id = b->id ? b->id : "";
	time_t issued = 0, until = 0;
	int issued_ok = 0, until_ok = 0, problems = 0;
	struct sort_key *keys = NULL;
	size_t nkeys = 0;

	if (is_empty(b->id)) {
		hp_error(err, "baseline #%zu: missing id", idx + 1);
		problems++;
	} else if (has_control(b->id)) {
		hp_error(err, "baseline '%s': id contains control characters or is not UTF-8", id);
		problems++;
	}
	if (b->kind != HP_BASELINE_PLANNED && b->kind != HP_BASELINE_UNPLANNED) {
		hp_error(err, "baseline '%s': invalid kind %d (planned or unplanned)", id,
			 (int)b->kind);
		problems++;
	}
	if (is_empty(b->issued)) {
		hp_error(err, "baseline '%s': missing issued date", id);
		problems++;
	} else if (hp_parse_date(b->issued, &issued)) {
		hp_error(err, "baseline '%s': invalid issued date '%s' (YYYY-MM-DD)", id,
			 b->issued);
		problems++;
	} else {
		issued_ok = 1;
	}
	if (b->supported_until && *b->supported_until) {
		if (hp_parse_date(b->supported_until, &until)) {
			hp_error(err, "baseline '%s': invalid supported-until date '%s' (YYYY-MM-DD)",
				 id, b->supported_until);
			problems++;
		} else {
			until_ok = 1;
		}
	}
	if (issued_ok && until_ok && until < issued) {
		hp_error(err, "baseline '%s': supported-until %s is before issued %s", id,
			 b->supported_until, b->issued);
		problems++;
	}
	if (!b->nr_builds) {
		hp_error(err, "baseline '%s': has no builds", id);
		problems++;
	}
	keys = hp_xcalloc(b->nr_builds, sizeof(*keys));
	for (size_t i = 0; i < b->nr_builds; i++) {
		const struct hp_build *bu = &b->builds[i];

		if (is_empty(bu->name) || is_empty(bu->evr)) {
			hp_error(err, "baseline '%s': build #%zu lacks a name or an evr", id, i + 1);
			problems++;
			continue;
		}
		if (has_control(bu->name) || has_control(bu->evr)) {
			hp_error(err, "baseline '%s': build '%s' contains control characters or is not UTF-8", id,
				 bu->name);
			problems++;
		} else if (!hp_evr_valid(bu->evr)) {
			hp_error(err, "baseline '%s': build '%s=%s': EVR is not of the form [E:]V-R", id,
				 bu->name, bu->evr);
			problems++;
		}
		keys[nkeys].key = bu->name;
		keys[nkeys].idx = i;
		nkeys++;
	}
	problems += report_duplicates(keys, nkeys, "component", id, err);
	free(keys);
	return problems;
}

/* `nevra` is hp_hotpatch_nevra(h), built once by the caller for the messages
 * and the duplicate check alike. */
static int validate_hotpatch(const struct hp_hotpatch *h, size_t idx, const char *nevra,
			     struct hp_strbuf *err)
{
	static const struct {
		size_t off;
		const char *what;
	} required[] = {
		{ offsetof(struct hp_hotpatch, name), "name" },
		{ offsetof(struct hp_hotpatch, version), "version" },
		{ offsetof(struct hp_hotpatch, release), "release" },
		{ offsetof(struct hp_hotpatch, arch), "arch" },
		{ offsetof(struct hp_hotpatch, component), "component" },
		{ offsetof(struct hp_hotpatch, build), "build" },
		{ offsetof(struct hp_hotpatch, engine), "engine" },
		{ offsetof(struct hp_hotpatch, payload), "payload" },
		{ offsetof(struct hp_hotpatch, payload_sha256), "payload sha256" },
	};
	static const size_t optional[] = {
		offsetof(struct hp_hotpatch, epoch),
		offsetof(struct hp_hotpatch, location),
		offsetof(struct hp_hotpatch, severity),
		offsetof(struct hp_hotpatch, issued),
	};
	const char *why;
	time_t t;
	int problems = 0, control = 0;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const char *v = *(char *const *)((const char *)h + required[i].off);

		if (is_empty(v)) {
			hp_error(err, "hotpatch #%zu '%s': missing %s", idx + 1, nevra,
				 required[i].what);
			problems++;
		}
		control |= has_control(v);
	}
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
		control |= has_control(*(char *const *)((const char *)h + optional[i]));
	for (size_t i = 0; i < h->cves.nr; i++)
		control |= has_control(h->cves.v[i]) || !*h->cves.v[i];
	for (size_t i = 0; i < h->advisories.nr; i++)
		control |= has_control(h->advisories.v[i]) || !*h->advisories.v[i];
	if (control) {
		hp_error(err, "hotpatch '%s': a field is empty, contains control characters or is not UTF-8",
			 nevra);
		problems++;
	}
	if (h->epoch && *h->epoch && !is_digits(h->epoch)) {
		hp_error(err, "hotpatch '%s': epoch '%s' is not a number", nevra, h->epoch);
		problems++;
	}
	if (!is_empty(h->build) && !has_control(h->build) && !hp_evr_valid(h->build)) {
		hp_error(err, "hotpatch '%s': build EVR '%s' is not of the form [E:]V-R", nevra,
			 h->build);
		problems++;
	}
	if (h->location && !has_control(h->location) && (why = location_problem(h->location))) {
		hp_error(err, "hotpatch '%s': package location '%s' %s", nevra, h->location, why);
		problems++;
	}
	if (!is_empty(h->payload) && (why = payload_problem(h->payload))) {
		hp_error(err, "hotpatch '%s': payload '%s' %s", nevra, h->payload, why);
		problems++;
	}
	if (!is_empty(h->payload_sha256) && !is_sha256_hex(h->payload_sha256)) {
		hp_error(err, "hotpatch '%s': payload sha256 '%s' is not 64 lower-case hex digits",
			 nevra, h->payload_sha256);
		problems++;
	}
	if (!is_empty(h->engine) && !is_engine_name(h->engine)) {
		hp_error(err, "hotpatch '%s': engine name '%s' is not [a-z0-9_-]+", nevra, h->engine);
		problems++;
	}
	if (h->issued && *h->issued && hp_parse_date(h->issued, &t)) {
		hp_error(err, "hotpatch '%s': invalid issued date '%s' (YYYY-MM-DD)", nevra,
			 h->issued);
		problems++;
	}
	if (h->reboot_suggested != 0 && h->reboot_suggested != 1) {
		hp_error(err, "hotpatch '%s': reboot-suggested must be 0 or 1", nevra);
		problems++;
	}
	return problems;
}

static char *put(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return p + len;
}

/* Every record's NEVRA, spelled exactly as hp_hotpatch_nevra() does, into
 * keys[i] (m->nr_hotpatches of them), all in one buffer that the caller
 * frees (returned). One allocation instead of three formatted ones per
 * record: at distribution scale (5,000+ records read on every `hotpatch
 * check`) those dominated validation. */
static char *build_nevras(const struct hp_meta *m, struct sort_key *keys)
{
	size_t total = 0;
	char *arena, *p;

	for (size_t i = 0; i < m->nr_hotpatches; i++) {
		const struct hp_hotpatch *h = &m->hotpatches[i];

		/* name-[epoch:]version-release.arch and its NUL */
		total += strlen(nz(h->name)) + strlen(nz(h->version)) + strlen(nz(h->release)) +
			 strlen(nz(h->arch)) + 4;
		if (has_epoch(h->epoch))
			total += strlen(h->epoch) + 1;
	}
	p = arena = hp_xmalloc(total ? total : 1);
	for (size_t i = 0; i < m->nr_hotpatches; i++) {
		const struct hp_hotpatch *h = &m->hotpatches[i];

		keys[i].key = p;
		keys[i].idx = i;
		p = put(p, nz(h->name), strlen(nz(h->name)));
		*p++ = '-';
		if (has_epoch(h->epoch)) {
			p = put(p, h->epoch, strlen(h->epoch));
			*p++ = ':';
		}
		p = put(p, nz(h->version), strlen(nz(h->version)));
		*p++ = '-';
		p = put(p, nz(h->release), strlen(nz(h->release)));
		*p++ = '.';
		p = put(p, nz(h->arch), strlen(nz(h->arch)));
		*p++ = '\0';
	}
	return arena;
}

int hp_meta_repo_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64 || s[0] == '.')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

int hp_meta_validate(const struct hp_meta *m, struct hp_strbuf *err)
{
	struct sort_key *keys = NULL;
	char *arena = NULL;
	size_t nkeys = 0;
	int problems = 0;

	if (m->repo && !hp_meta_repo_name_ok(m->repo)) {
		hp_error(err, "repository name '%s' is not 1..64 of [A-Za-z0-9._-]", m->repo);
		problems++;
	}
	if (m->generated < 0 || m->expires < 0) {
		hp_error(err, "metadata times must not be negative (generated %lld, expires %lld)",
			 (long long)m->generated, (long long)m->expires);
		problems++;
	} else if (m->expires && m->expires < m->generated) {
		hp_error(err, "metadata expires (%lld) before it was generated (%lld)",
			 (long long)m->expires, (long long)m->generated);
		problems++;
	}

	keys = hp_xcalloc(m->nr_baselines, sizeof(*keys));
	for (size_t i = 0; i < m->nr_baselines; i++) {
		problems += validate_baseline(&m->baselines[i], i, err);
		if (!is_empty(m->baselines[i].id)) {
			keys[nkeys].key = m->baselines[i].id;
			keys[nkeys].idx = i;
			nkeys++;
		}
	}
	problems += report_duplicates(keys, nkeys, "baseline id", NULL, err);
	free(keys);

	keys = hp_xcalloc(m->nr_hotpatches, sizeof(*keys));
	arena = build_nevras(m, keys);
	for (size_t i = 0; i < m->nr_hotpatches; i++)
		problems += validate_hotpatch(&m->hotpatches[i], i, keys[i].key, err);
	problems += report_duplicates(keys, m->nr_hotpatches, "hotpatch", NULL, err);
	free(arena);
	free(keys);
	return problems;
}
