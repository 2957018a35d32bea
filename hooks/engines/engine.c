/* Engine dispatch, shared checks (payload path, sha256) and the .ko
 * identity used by the klp and kpatch engines. */
#include <stddef.h>
#include <stdint.h>
#include <strings.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hp_engine.h"
#include "hp_pkgscan.h"

#ifndef HP_SYSCONFDIR
#define HP_SYSCONFDIR "/etc"
#endif

#define HP_PAYLOAD_DIR "/usr/lib/hotpatch/"

void hp_live_patches_free(struct hp_live_patch *p, size_t nr)
{
	for (size_t i = 0; p && i < nr; i++) {
		free(p[i].name);
		free(p[i].package);
	}
	free(p);
}

void hp_engine_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Engine names select a local file name, so they must not carry '/', '.'
 * or anything else a path could be built from. */
static int valid_engine_name(const char *name)
{
	if (!*name)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

struct hp_engine *hp_engine_get(const char *name, const struct hp_engine_config *cfg,
				struct hp_strbuf *err)
{
	static const struct hp_engine_config defaults;
	struct hp_engine *e;
	int ret;

	if (!cfg)
		cfg = &defaults;
	if (!name || !valid_engine_name(name)) {
		hp_error(err, "invalid engine name '%s': must match [a-z0-9_-]+", name ? name : "");
		return NULL;
	}
	e = hp_xcalloc(1, sizeof(*e));
	e->name = hp_xstrdup(name);
	e->sysfs_root = hp_xstrdup(cfg->sysfs_root ? cfg->sysfs_root : "/sys");
	e->proc_root = hp_xstrdup(cfg->proc_root ? cfg->proc_root : "/proc");
	e->root_dir = hp_xstrdup(cfg->root_dir ? cfg->root_dir : "/");
	e->exec_conf_dir = hp_xstrdup(cfg->exec_conf_dir ? cfg->exec_conf_dir
					 : HP_SYSCONFDIR "/hotpatch/engines.d");
	e->kpatch_path = hp_xstrdup(cfg->kpatch_path);
	if (cfg->kernel_release) {
		e->kernel_release = hp_xstrdup(cfg->kernel_release);
	} else {
		struct utsname u;
		if (uname(&u) == 0)
			e->kernel_release = hp_xstrdup(u.release);
	}
	e->transition_timeout = cfg->transition_timeout ? cfg->transition_timeout : 60;
	e->poll_interval_ms = cfg->poll_interval_ms ? cfg->poll_interval_ms : 100;
	e->force = cfg->force;
	e->klp_syscalls = cfg->klp_syscalls;

	/* Built-in engines win: a local file cannot shadow "klp". */
	if (!strcmp(name, "klp"))
		ret = hp_klp_engine_init(e, err);
	else if (!strcmp(name, "kpatch"))
		ret = hp_kpatch_engine_init(e, err);
	else
		ret = hp_exec_engine_init(e, err);
	if (ret) {
		hp_engine_free(e);
		return NULL;
	}
	return e;
}

void hp_engine_free(struct hp_engine *e)
{
	if (!e)
		return;
	if (e->ops && e->ops->release)
		e->ops->release(e);
	free(e->name);
	free(e->sysfs_root);
	free(e->proc_root);
	free(e->root_dir);
	free(e->kernel_release);
	free(e->exec_conf_dir);
	free(e->kpatch_path);
	free(e);
}

const char *hp_engine_name(const struct hp_engine *e)
{
	return e->name;
}

int hp_engine_probe(struct hp_engine *e, struct hp_strbuf *err)
{
	return e->ops->probe(e, err);
}

int hp_engine_apply(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	return e->ops->apply(e, it, err);
}

int hp_engine_revert(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	return e->ops->revert(e, it, err);
}

int hp_engine_list_live(struct hp_engine *e, struct hp_live_patch **out, size_t *nr,
			struct hp_strbuf *err)
{
	*out = NULL;
	*nr = 0;
	return e->ops->list_live(e, out, nr, err);
}

int hp_engine_is_live(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err)
{
	return e->ops->is_live(e, it, err);
}

char *hp_engine_live_name(struct hp_engine *e, const struct hp_engine_item *it,
			  struct hp_strbuf *err)
{
	struct hp_ko_info ki = { 0 };
	char *path = NULL, *name = NULL;

	if (it->live_name)
		return hp_xstrdup(it->live_name);
	if (strcmp(e->name, "klp") && strcmp(e->name, "kpatch")) {
		if (!it->package)
			hp_error(err, "%s engine: hotpatch has no package name", e->name);
		return hp_xstrdup(it->package);
	}
	path = hp_engine_payload_path(e, it, err);
	if (!path)
		goto out;
	if (hp_ko_info_read(path, &ki, err))
		goto out;
	if (!ki.name) {
		hp_error(err, "'%s': .modinfo has no name=", path);
		goto out;
	}
	name = ki.name;
	ki.name = NULL;
out:
	hp_ko_info_release(&ki);
	free(path);
	return name;
}

char *hp_engine_payload_path(const struct hp_engine *e, const struct hp_engine_item *it,
			     struct hp_strbuf *err)
{
	const char *p = it->payload;

	if (!p || strncmp(p, HP_PAYLOAD_DIR, strlen(HP_PAYLOAD_DIR))) {
		hp_error(err, "%s: payload '%s' is not below %s", it->package ? it->package : "hotpatch",
			 p ? p : "", HP_PAYLOAD_DIR);
		return NULL;
	}
	/* No ".." component may climb out of the payload directory. */
	for (const char *s = p; (s = strstr(s, "..")); s += 2) {
		if (s[-1] == '/' && (s[2] == '/' || !s[2])) {
			hp_error(err, "%s: payload '%s' contains '..'",
				 it->package ? it->package : "hotpatch", p);
			return NULL;
		}
	}
	return hp_path_join(e->root_dir, p);
}

int hp_engine_check_sha256(const char *path, const struct hp_engine_item *it,
			   struct hp_strbuf *err)
{
	char hex[65];

	if (!it->payload_sha256)
		return 0;
	if (hp_sha256_file(path, hex, err))
		return -1;
	if (strcasecmp(hex, it->payload_sha256))
		return hp_error(err, "'%s': sha256 %s does not match the expected %s", path, hex,
				it->payload_sha256);
	return 0;
}

/* --- .modinfo reader ----------------------------------------------------- */

void hp_ko_info_release(struct hp_ko_info *ki)
{
	free(ki->name);
	free(ki->vermagic);
	free(ki->image);
	ki->name = ki->vermagic = NULL;
	ki->image = NULL;
	ki->image_len = 0;
	ki->livepatch = 0;
}

/* Reads the module through `fd` (from offset 0), checks its sha256 when the
 * item names one, and parses .modinfo: what is checked is exactly what gets
 * loaded when the caller hands the same fd to finit_module. */
int hp_ko_info_read_fd(int fd, const char *path, const struct hp_engine_item *it,
		       struct hp_ko_info *ki, struct hp_strbuf *err)
{
	struct hp_strbuf buf = HP_STRBUF_INIT;
	struct hp_strbuf plain = HP_STRBUF_INIT;
	struct hp_modinfo mi;
	char hex[65];
	int ret = -1, compressed;

	ki->name = ki->vermagic = NULL;
	ki->livepatch = 0;
	ki->image = NULL;
	ki->image_len = 0;
	hp_modinfo_init(&mi);
	if (hp_read_fd(fd, path, &buf, err))
		goto out;
	if (it && it->payload_sha256) {
		hp_sha256_hex(buf.buf, buf.len, hex);
		if (strcasecmp(hex, it->payload_sha256)) {
			hp_error(err, "'%s': sha256 %s does not match the expected %s", path, hex,
				 it->payload_sha256);
			goto out;
		}
	}
	/* The digest is the shipped file's; the module is what it decompresses to. */
	compressed = hp_module_decompress(buf.buf, buf.len, path, &plain, err);
	if (compressed < 0)
		goto out;
	/* The same bounds-checked parser hotpatch-repo publish uses. */
	if (hp_modinfo_parse(&mi, compressed ? plain.buf : buf.buf, compressed ? plain.len : buf.len,
			     path, err))
		goto out;
	if (compressed) {
		ki->image_len = plain.len;
		ki->image = hp_strbuf_detach(&plain);
	}
	ki->name = mi.name;
	ki->vermagic = mi.vermagic;
	ki->livepatch = mi.livepatch && !strcmp(mi.livepatch, "Y");
	mi.name = mi.vermagic = NULL;
	ret = 0;
out:
	hp_modinfo_release(&mi);
	hp_strbuf_release(&buf);
	hp_strbuf_release(&plain);
	return ret;
}

int hp_ko_info_read(const char *path, struct hp_ko_info *ki, struct hp_strbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	ki->name = ki->vermagic = NULL;
	ki->livepatch = 0;
	if (fd < 0)
		return hp_error_errno(err, errno, "cannot open '%s'", path);
	ret = hp_ko_info_read_fd(fd, path, NULL, ki, err);
	close(fd);
	return ret;
}
