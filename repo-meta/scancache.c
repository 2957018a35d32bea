/* REPO/.hotpatch/cache.json: the facts publish read from each hotpatch rpm
 * (header and payload digests, module .modinfo), keyed by the package's
 * pkgid from primary and checked against the file's size and mtime, so a
 * re-publish reads only new or changed packages. Only facts are cached; the
 * lint runs in full every time (baselines, kernel builds and advisories may
 * have changed). A missing, stale or unreadable cache is simply not used. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "hp_json.h"
#include "hp_publish.h"

#define CACHE_VERSION 1

void hp_scan_cache_init(struct hp_scan_cache *sc)
{
	sc->old = NULL;
	sc->fresh = json_object_new_object();
	sc->hits = sc->misses = 0;
}

void hp_scan_cache_release(struct hp_scan_cache *sc)
{
	json_object_put(sc->old);
	json_object_put(sc->fresh);
	sc->old = sc->fresh = NULL;
}

static char *cache_path(const char *repodir)
{
	return hp_xasprintf("%s/%s/cache.json", repodir, HP_REPO_STATE_DIR);
}

void hp_scan_cache_load(struct hp_scan_cache *sc, const char *repodir)
{
	char *path = cache_path(repodir);
	struct json_object *root = json_object_from_file(path);
	struct json_object *v, *pk;

	if (root && json_object_object_get_ex(root, "version", &v) &&
	    json_object_get_int(v) == CACHE_VERSION &&
	    json_object_object_get_ex(root, "packages", &pk) &&
	    json_object_is_type(pk, json_type_object))
		sc->old = json_object_get(pk);
	json_object_put(root);
	free(path);
}

static int file_id(const char *path, int64_t *size, int64_t *mtime_ns)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	*size = (int64_t)st.st_size;
	*mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return 0;
}

/* --- to JSON --- */

static struct json_object *deps_to_json(const struct hp_dep *d, size_t nr)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < nr; i++) {
		struct json_object *o = json_object_new_array();

		json_object_array_add(o, hp_json_str(d[i].name));
		json_object_array_add(o, hp_json_str(d[i].evr));
		json_object_array_add(o, json_object_new_int64(d[i].sense));
		json_object_array_add(arr, o);
	}
	return arr;
}

void hp_scan_cache_put(struct hp_scan_cache *sc, const char *pkgid, const char *rpm_path,
		       const struct hp_candidate *c)
{
	struct json_object *o, *files;
	const struct hp_pkghdr *h = &c->hdr;
	int64_t size, mtime;

	if (!pkgid || c->payload_error || file_id(rpm_path, &size, &mtime))
		return;
	o = json_object_new_object();
	json_object_object_add(o, "size", json_object_new_int64(size));
	json_object_object_add(o, "mtime_ns", json_object_new_int64(mtime));
	json_object_object_add(o, "name", hp_json_str(h->name));
	json_object_object_add(o, "epoch", hp_json_str(h->epoch));
	json_object_object_add(o, "version", hp_json_str(h->version));
	json_object_object_add(o, "release", hp_json_str(h->release));
	json_object_object_add(o, "arch", hp_json_str(h->arch));
	json_object_object_add(o, "buildtime", json_object_new_int64(h->buildtime));
	json_object_object_add(o, "digest_algo", json_object_new_int64(h->digest_algo));
	json_object_object_add(o, "provides", deps_to_json(h->provides, h->nr_provides));
	json_object_object_add(o, "requires", deps_to_json(h->requires, h->nr_requires));
	json_object_object_add(o, "files", hp_json_strings(&h->files, NULL));
	json_object_object_add(o, "digests", hp_json_strings(&h->digests, NULL));
	files = json_object_new_array();
	for (size_t i = 0; i < c->payload.nr; i++) {
		const struct hp_payload_file *f = &c->payload.files[i];
		struct json_object *fo = json_object_new_object();

		json_object_object_add(fo, "path", hp_json_str(f->path));
		json_object_object_add(fo, "sha256", hp_json_str(f->sha256));
		json_object_object_add(fo, "size", json_object_new_int64((int64_t)f->size));
		if (f->is_module) {
			json_object_object_add(fo, "module_name", hp_json_str(f->modinfo.name));
			json_object_object_add(fo, "vermagic", hp_json_str(f->modinfo.vermagic));
			json_object_object_add(fo, "livepatch", hp_json_str(f->modinfo.livepatch));
			json_object_object_add(fo, "modinfo_error", hp_json_str(f->modinfo_error));
		}
		json_object_array_add(files, fo);
	}
	json_object_object_add(o, "payload", files);
	json_object_object_add(sc->fresh, pkgid, o);
}

/* --- from JSON: every field is checked; any surprise is a cache miss --- */

static int get_str(struct json_object *o, const char *key, char **out, int nullable)
{
	struct json_object *v;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return nullable ? 0 : -1;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	*out = hp_xstrdup(json_object_get_string(v));
	return 0;
}

static int get_int(struct json_object *o, const char *key, int64_t *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

static int get_deps(struct json_object *o, const char *key, struct hp_dep **out, size_t *nr)
{
	struct json_object *arr;
	size_t n;

	if (!json_object_object_get_ex(o, key, &arr) || !json_object_is_type(arr, json_type_array))
		return -1;
	n = json_object_array_length(arr);
	*out = hp_xcalloc(n ? n : 1, sizeof(**out));
	*nr = n;
	for (size_t i = 0; i < n; i++) {
		struct json_object *d = json_object_array_get_idx(arr, i);
		struct json_object *name, *evr, *sense;

		if (!json_object_is_type(d, json_type_array) || json_object_array_length(d) != 3)
			return -1;
		name = json_object_array_get_idx(d, 0);
		evr = json_object_array_get_idx(d, 1);
		sense = json_object_array_get_idx(d, 2);
		if (!json_object_is_type(name, json_type_string) ||
		    (evr && !json_object_is_type(evr, json_type_string)) ||
		    !json_object_is_type(sense, json_type_int))
			return -1;
		(*out)[i].name = hp_xstrdup(json_object_get_string(name));
		(*out)[i].evr = evr ? hp_xstrdup(json_object_get_string(evr)) : NULL;
		(*out)[i].sense = (unsigned)json_object_get_int64(sense);
	}
	return 0;
}

static int get_strvec(struct json_object *o, const char *key, struct hp_strvec *sv)
{
	struct json_object *arr;

	if (!json_object_object_get_ex(o, key, &arr) || !json_object_is_type(arr, json_type_array))
		return -1;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(s, json_type_string))
			return -1;
		hp_strvec_push(sv, json_object_get_string(s));
	}
	return 0;
}

static int get_payload(struct json_object *o, struct hp_payload *p)
{
	struct json_object *arr;

	if (!json_object_object_get_ex(o, "payload", &arr) || !json_object_is_type(arr, json_type_array))
		return -1;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *fo = json_object_array_get_idx(arr, i);
		struct hp_payload_file *f;
		char *sha = NULL;
		int64_t size;

		HP_ALLOC_GROW(p->files, p->nr + 1, p->alloc);
		f = &p->files[p->nr++];
		memset(f, 0, sizeof(*f));
		if (!json_object_is_type(fo, json_type_object) || get_str(fo, "path", &f->path, 0) ||
		    get_str(fo, "sha256", &sha, 0) || strlen(sha) != 64 || get_int(fo, "size", &size)) {
			free(sha);
			return -1;
		}
		memcpy(f->sha256, sha, 65);
		free(sha);
		f->size = (uint64_t)size;
		f->is_module = json_object_object_get_ex(fo, "vermagic", NULL);
		if (f->is_module &&
		    (get_str(fo, "module_name", &f->modinfo.name, 1) ||
		     get_str(fo, "vermagic", &f->modinfo.vermagic, 1) ||
		     get_str(fo, "livepatch", &f->modinfo.livepatch, 1) ||
		     get_str(fo, "modinfo_error", &f->modinfo_error, 1)))
			return -1;
	}
	return 0;
}

int hp_scan_cache_get(struct hp_scan_cache *sc, const char *pkgid, const char *rpm_path,
		      struct hp_candidate *c)
{
	struct json_object *o;
	struct hp_pkghdr *h = &c->hdr;
	int64_t size, mtime, csize, cmtime, v;

	if (!pkgid || !sc->old || !json_object_object_get_ex(sc->old, pkgid, &o) ||
	    !json_object_is_type(o, json_type_object) || file_id(rpm_path, &size, &mtime) ||
	    get_int(o, "size", &csize) || get_int(o, "mtime_ns", &cmtime) ||
	    csize != size || cmtime != mtime)
		goto miss;
	if (get_str(o, "name", &h->name, 0) || get_str(o, "epoch", &h->epoch, 1) ||
	    get_str(o, "version", &h->version, 0) || get_str(o, "release", &h->release, 0) ||
	    get_str(o, "arch", &h->arch, 0) || get_int(o, "buildtime", &h->buildtime) ||
	    get_int(o, "digest_algo", &v) ||
	    get_deps(o, "provides", &h->provides, &h->nr_provides) ||
	    get_deps(o, "requires", &h->requires, &h->nr_requires) ||
	    get_strvec(o, "files", &h->files) || get_strvec(o, "digests", &h->digests) ||
	    get_payload(o, &c->payload)) {
		hp_pkghdr_release(h);
		hp_payload_release(&c->payload);
		goto miss;
	}
	h->digest_algo = (unsigned)v;
	/* carried over to the next cache as it is */
	json_object_object_add(sc->fresh, pkgid, json_object_get(o));
	sc->hits++;
	return 0;
miss:
	sc->misses++;
	return -1;
}

int hp_scan_cache_save(struct hp_scan_cache *sc, const char *repodir, struct hp_strbuf *err)
{
	struct json_object *root = json_object_new_object();
	char *dir = hp_path_join(repodir, HP_REPO_STATE_DIR);
	char *path = cache_path(repodir);
	const char *text;
	int ret;

	json_object_object_add(root, "version", json_object_new_int(CACHE_VERSION));
	json_object_object_add(root, "packages", json_object_get(sc->fresh));
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	ret = hp_mkdir_p(dir, 0755, err);
	if (!ret)
		ret = hp_write_file_atomic(path, text, strlen(text), 0644, err);
	json_object_put(root);
	free(dir);
	free(path);
	return ret;
}
