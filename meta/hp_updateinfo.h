/* updateinfo.xml read with libsolv (repo_add_updateinfoxml; plain, gz, xz,
 * bz2 or zstd, decoded and token-guarded as it is read: hp_xmlstream.h): the
 * one parser of advisories, used by hotpatch-repo publish (CVEs, severity,
 * dates per package) and by the client's `check --updateinfo`
 * (reboot_suggested packages). */
#ifndef HP_UPDATEINFO_H
#define HP_UPDATEINFO_H

#include <stddef.h>
#include <time.h>

#include "hp_util.h"

/* One advisory as the callback sees it; everything is owned by the reader
 * and valid during the call only. */
struct hp_advisory {
	const char *id;                /* "HP-2026-0002" */
	const char *severity;          /* NULL when none */
	time_t issued;                 /* 0 when none */
	int reboot_suggested;          /* the advisory or one of its packages says so
					  (libsolv keeps the flag per advisory) */
	const struct hp_strvec *cves;  /* unique CVE ids of its references */
};

/* Called once per package an advisory lists: `evr` as "[E:]V-R" with a zero
 * epoch omitted, `arch` "noarch" when the record names none. */
typedef void (*hp_updateinfo_fn)(const struct hp_advisory *adv, const char *name,
				 const char *evr, const char *arch, void *data);

/* Parses the (possibly compressed) updateinfo file `path` and calls `fn`
 * for each package of each advisory, in document order. -1 and one line
 * naming `path` when it cannot be opened, decoded or parsed, or holds an XML
 * token longer than HP_XML_MAX_TOKEN (fn is not called then). */
int hp_updateinfo_read(const char *path, hp_updateinfo_fn fn, void *data,
		       struct hp_strbuf *err);

/* A package that an advisory with reboot_suggested lists. */
struct hp_reboot_pkg {
	char *name;
	char *evr;        /* "[E:]V-R", no zero epoch */
	char *arch;
	char *advisory;   /* of the advisories naming this NEVRA, the smallest id */
};

/* Owns its entries and their strings; one entry per NEVRA. */
struct hp_reboot_pkgs {
	struct hp_reboot_pkg *v;
	size_t nr, alloc;
};

void hp_reboot_pkgs_init(struct hp_reboot_pkgs *l);
void hp_reboot_pkgs_release(struct hp_reboot_pkgs *l);
/* Appends (copies) a package unless its NEVRA is listed already. */
void hp_reboot_pkgs_add(struct hp_reboot_pkgs *l, const char *name, const char *evr,
			const char *arch, const char *advisory);
/* Appends the packages of `path`'s reboot_suggested advisories to `l`. On
 * error `l` keeps what it held before the call (nothing partial is added). */
int hp_updateinfo_reboot_pkgs(const char *path, struct hp_reboot_pkgs *l,
			      struct hp_strbuf *err);

#endif
