/* Engine dispatch, shared checks (payload path, sha256) and the .modinfo
 * reader used by the klp and kpatch engines. */
#include <elf.h>
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
	ki->name = ki->vermagic = NULL;
	ki->livepatch = 0;
}

/* Reads an unsigned field of `size` bytes at `p` in the file's byte order. */
static uint64_t rd(const unsigned char *p, size_t size, int big)
{
	uint64_t v = 0;

	for (size_t i = 0; i < size; i++)
		v |= (uint64_t)p[big ? size - 1 - i : i] << (8 * i);
	return v;
}

int hp_ko_info_read(const char *path, struct hp_ko_info *ki, struct hp_strbuf *err)
{
	struct hp_strbuf buf = HP_STRBUF_INIT;
	const unsigned char *d;
	uint64_t shoff, shnum, shstrndx, shentsize;
	uint64_t str_off = 0, str_size = 0, mi_off = 0, mi_size = 0;
	int is64, big, ret = -1, found = 0;
	size_t len;

	ki->name = ki->vermagic = NULL;
	ki->livepatch = 0;
	if (hp_read_file(path, &buf, err))
		goto out;
	d = (const unsigned char *)buf.buf;
	len = buf.len;
	if (len < EI_NIDENT || memcmp(d, ELFMAG, SELFMAG)) {
		hp_error(err, "'%s' is not an ELF file (compressed modules are not supported)", path);
		goto out;
	}
	is64 = d[EI_CLASS] == ELFCLASS64;
	big = d[EI_DATA] == ELFDATA2MSB;
	if ((!is64 && d[EI_CLASS] != ELFCLASS32) || len < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
		hp_error(err, "'%s': truncated or unknown ELF header", path);
		goto out;
	}
	if (is64) {
		shoff = rd(d + offsetof(Elf64_Ehdr, e_shoff), 8, big);
		shentsize = rd(d + offsetof(Elf64_Ehdr, e_shentsize), 2, big);
		shnum = rd(d + offsetof(Elf64_Ehdr, e_shnum), 2, big);
		shstrndx = rd(d + offsetof(Elf64_Ehdr, e_shstrndx), 2, big);
	} else {
		shoff = rd(d + offsetof(Elf32_Ehdr, e_shoff), 4, big);
		shentsize = rd(d + offsetof(Elf32_Ehdr, e_shentsize), 2, big);
		shnum = rd(d + offsetof(Elf32_Ehdr, e_shnum), 2, big);
		shstrndx = rd(d + offsetof(Elf32_Ehdr, e_shstrndx), 2, big);
	}
	if (shentsize < (is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr)) || shstrndx >= shnum ||
	    shoff > len || shnum > (len - shoff) / shentsize) {
		hp_error(err, "'%s': section headers out of bounds", path);
		goto out;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i < shnum; i++) {
			const unsigned char *sh = d + shoff + i * shentsize;
			uint64_t name, off, size;

			if (pass == 0 && i != shstrndx)
				continue;
			if (is64) {
				name = rd(sh + offsetof(Elf64_Shdr, sh_name), 4, big);
				off = rd(sh + offsetof(Elf64_Shdr, sh_offset), 8, big);
				size = rd(sh + offsetof(Elf64_Shdr, sh_size), 8, big);
			} else {
				name = rd(sh + offsetof(Elf32_Shdr, sh_name), 4, big);
				off = rd(sh + offsetof(Elf32_Shdr, sh_offset), 4, big);
				size = rd(sh + offsetof(Elf32_Shdr, sh_size), 4, big);
			}
			if (off > len || size > len - off) {
				hp_error(err, "'%s': section %llu out of bounds", path,
					 (unsigned long long)i);
				goto out;
			}
			if (pass == 0) {
				str_off = off;
				str_size = size;
				continue;
			}
			if (name >= str_size ||
			    !memchr(d + str_off + name, '\0', str_size - name))
				continue;
			if (!strcmp((const char *)d + str_off + name, ".modinfo")) {
				mi_off = off;
				mi_size = size;
				found = 1;
				break;
			}
		}
	}
	if (!found) {
		hp_error(err, "'%s' has no .modinfo section: not a kernel module", path);
		goto out;
	}
	/* .modinfo: "key=value\0" strings, possibly padded with NULs. */
	for (uint64_t p = 0; p < mi_size;) {
		const char *s = (const char *)d + mi_off + p;
		const char *end = memchr(s, '\0', mi_size - p);
		size_t slen = end ? (size_t)(end - s) : (size_t)(mi_size - p);

		if (slen > 5 && !strncmp(s, "name=", 5) && !ki->name)
			ki->name = hp_xstrndup(s + 5, slen - 5);
		else if (slen > 9 && !strncmp(s, "vermagic=", 9) && !ki->vermagic)
			ki->vermagic = hp_xstrndup(s + 9, slen - 9);
		else if (slen == 11 && !strncmp(s, "livepatch=Y", 11))
			ki->livepatch = 1;
		p += slen + 1;
	}
	ret = 0;
out:
	if (ret)
		hp_ko_info_release(ki);
	hp_strbuf_release(&buf);
	return ret;
}
