/* Reading what `hotpatch-repo publish` needs from a repository WITHOUT
 * installing anything:
 *  - the repository scan (reposcan.c): the repo's primary metadata loaded with
 *    libsolv selects the hotpatch packages (those that provide `hotpatch(...)`
 *    or `hotpatch-engine(...)`)
 *    and finds component build packages, so a repo of 60,000 packages costs one
 *    metadata load, not 60,000 rpm opens; its updateinfo is indexed by NEVRA;
 *  - one package's header (librpm, signatures not checked: publishing is done
 *    by the operator on their own packages) and payload (libarchive);
 *  - a kernel module's `.modinfo` section (modinfo.c, a bounds-checked ELF64
 *    reader: packages are hostile input).
 *
 * Ownership: every struct owns all strings it points to; release with the
 * matching _release() function. */
#ifndef HP_PKGSCAN_H
#define HP_PKGSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "hp_util.h"

/* Kernel modules are read into memory (for .modinfo) up to this size. */
#define HP_MODULE_MAX (64u << 20)

/* --- one rpm: header --- */

/* A dependency as rpm stores it: `name`, or `name <op> evr`. */
struct hp_dep {
	char *name;
	char *evr;        /* NULL when unversioned */
	unsigned sense;   /* RPMSENSE_LESS/GREATER/EQUAL bits (rpmds.h values) */
};

struct hp_pkghdr {
	char *name;
	char *epoch;      /* NULL when the package has no epoch */
	char *version;
	char *release;
	char *arch;
	int64_t buildtime;
	struct hp_dep *provides;
	size_t nr_provides;
	struct hp_dep *requires;
	size_t nr_requires;
	struct hp_strvec files; /* absolute paths, as in the header */
	struct hp_strvec digests; /* hex digest of each file ("" for non-regular), parallel to files */
	unsigned digest_algo;   /* PGPHASHALGO_* of the digests (8 = sha256) */
};

void hp_pkghdr_init(struct hp_pkghdr *h);
void hp_pkghdr_release(struct hp_pkghdr *h);
/* Reads the header of the rpm at `path` (no signature/digest checks). */
int hp_pkghdr_read(struct hp_pkghdr *h, const char *path, struct hp_strbuf *err);
/* "name-[epoch:]version-release.arch"; malloc'd, caller frees. */
char *hp_pkghdr_nevra(const struct hp_pkghdr *h);

/* --- one rpm: payload --- */

struct hp_payload_file {
	char *path;            /* absolute ("/usr/lib/...") */
	char sha256[65];       /* lower-case hex of the content */
	uint64_t size;
	int is_module;         /* name ends in ".ko", ".ko.xz" or ".ko.zst":
				* modinfo or modinfo_error is set */
	struct hp_modinfo {
		char *name;       /* "name=" or NULL */
		char *vermagic;   /* "vermagic=" or NULL */
		char *livepatch;  /* "livepatch=" or NULL ("Y" for livepatch modules) */
	} modinfo;
	char *modinfo_error;   /* why the module's .modinfo could not be read */
};

struct hp_payload {
	struct hp_payload_file *files; /* regular files only, in archive order */
	size_t nr, alloc;
};

void hp_payload_init(struct hp_payload *p);
void hp_payload_release(struct hp_payload *p);
/* Reads every regular file of the rpm's payload (cpio, any compression
 * libarchive has a filter for), hashing each (streamed) and parsing the
 * .modinfo of every ".ko" file. An unsupported compression is one clear
 * error line naming the package. */
int hp_payload_read(struct hp_payload *p, const char *rpm_path, struct hp_strbuf *err);

/* --- kernel module .modinfo --- */

/* struct hp_modinfo is declared with struct hp_payload_file above. */

void hp_modinfo_init(struct hp_modinfo *mi);
void hp_modinfo_release(struct hp_modinfo *mi);
/* Parses the `.modinfo` section of the 64-bit little-endian ELF image in
 * `buf` (not modified, not kept). `what` names the file in error messages.
 * Every offset and size is bounds-checked: truncated or garbage input gives
 * -1 and one error line, never a crash. */
int hp_modinfo_parse(struct hp_modinfo *mi, const void *buf, size_t len, const char *what,
		     struct hp_strbuf *err);
/* The kernel release a vermagic names: its first word; malloc'd, caller frees. */
char *hp_vermagic_release(const char *vermagic);
/* Whether `path` names a kernel module: "*.ko", "*.ko.xz" or "*.ko.zst". */
int hp_module_path(const char *path);
/* Decompresses a module image compressed with xz or zstd (recognised by its
 * magic, not its name) into `out`: returns 1. A plain image: 0, `out`
 * untouched. Corrupt or truncated data, or an image decompressing to more
 * than HP_MODULE_MAX bytes: -1 and one line naming `what`. */
int hp_module_decompress(const void *buf, size_t len, const char *what, struct hp_strbuf *out,
			 struct hp_strbuf *err);

/* --- the repository --- */

/* A package as the primary metadata describes it. */
struct hp_repo_pkg {
	char *name;
	char *evr;        /* "[E:]V-R" as libsolv prints it (no "0:") */
	char *arch;
	char *location;   /* href relative to the repo root */
	char *pkgid;      /* checksum from primary, or NULL */
};

/* Advisory facts about one package NEVRA, merged over every advisory naming it. */
struct hp_pkg_advisories {
	struct hp_strvec advisories; /* updateinfo ids */
	struct hp_strvec cves;
	char *severity;              /* highest seen ("Critical" > "Important" > ...), or NULL */
	char *issued;                /* latest advisory issue date "YYYY-MM-DD", or NULL */
	int reboot_suggested;
};

struct hp_reposcan {
	char *repodir;
	struct hp_repo_pkg *hotpatches; /* packages providing hotpatch(...) or
					 * hotpatch-engine(...), sorted by location */
	size_t nr_hotpatches;
	int has_updateinfo;
	/* private */
	void *pool;                     /* libsolv Pool */
	void *primary;                  /* libsolv Repo of primary */
	struct hp_pkg_advisories *adv;  /* merged advisory facts */
	size_t nr_adv, alloc_adv;
	int *adv_by_str;                /* pool string id of the NEVRA -> index+1 in adv */
	size_t nr_adv_by_str;
};

void hp_reposcan_init(struct hp_reposcan *rs);
void hp_reposcan_release(struct hp_reposcan *rs);
/* Loads `repodir`'s repodata/repomd.xml, its primary and (when listed) its
 * updateinfo. A directory without repodata/repomd.xml is refused with
 * "'<dir>': not a repository (no repodata/repomd.xml); run createrepo_c first". */
int hp_reposcan_open(struct hp_reposcan *rs, const char *repodir, struct hp_strbuf *err);
/* Fills `out` (initialised, caller releases with hp_repo_pkg_release) with the
 * package `name` whose EVR equals `evr` (rpm comparison, missing epoch = 0) and
 * returns 0; returns -1 when there is none (no message). */
int hp_reposcan_find(struct hp_reposcan *rs, const char *name, const char *evr,
		     struct hp_repo_pkg *out);
/* The release string of the kernel build `name` = `evr` as the running-build
 * rule defines it: its `kernel-uname-r` provide, else the <release> of the
 * /lib/modules/<release>/vmlinuz its header lists. malloc'd into *out; -1 and
 * one error line when the package is missing or names no release. */
int hp_reposcan_kernel_release(struct hp_reposcan *rs, const char *name, const char *evr,
			       char **out, struct hp_strbuf *err);
/* Advisory facts for the package NEVRA "name-[e:]v-r.arch" (a zero epoch
 * omitted), or NULL. */
const struct hp_pkg_advisories *hp_reposcan_advisories(const struct hp_reposcan *rs,
						       const char *nevra);

void hp_repo_pkg_init(struct hp_repo_pkg *p);
void hp_repo_pkg_release(struct hp_repo_pkg *p);

#endif
