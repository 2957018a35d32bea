/* Live-apply engines: what makes an installed hotpatch package live.
 *
 * One interface (struct hp_engine_ops), three kinds of engine:
 *   "klp"     the kernel's livepatch subsystem driven directly: finit_module(2)
 *             of the payload .ko, then /sys/kernel/livepatch/<mod>/ state.
 *   "kpatch"  the kpatch CLI (kpatch load / unload / list).
 *   NAME      an exec engine configured ONLY in the local root-owned file
 *             <exec_conf_dir>/NAME.conf (libpulp ulp, libcareplus, ...).
 *             Repository metadata only names the engine; it never supplies
 *             a command. NAME must match [a-z0-9_-]+.
 *
 * Safety rules (DESIGN.md): an engine says "live" only from what the system
 * reports now (is_live, list_live); a failed or stalled apply is reversed
 * before apply returns -1, so nothing half-live is left behind.
 *
 * Errors follow hp_util.h: 0 / -1 and one line per problem in `err`.
 * docs/engines.md describes every engine, the journal and the lock. */
#ifndef HP_ENGINE_H
#define HP_ENGINE_H

#include <stddef.h>

#include "hp_util.h"

/* The syscalls of the klp engine, replaceable so that unit tests can run the
 * state machine against a fake sysfs tree without loading modules. Both
 * return 0, or -1 with errno set, as the syscalls do. */
struct hp_klp_syscalls {
	int (*finit_module)(int fd, const char *params, int flags);
	int (*delete_module)(const char *name, unsigned int flags);
};

/* How engines find the system. Every pointer may be NULL (= the default in
 * brackets); hp_engine_get copies all strings, so the caller's config need
 * not outlive the engine. */
struct hp_engine_config {
	const char *sysfs_root;       /* ["/sys"] where kernel/livepatch/ and module/ are */
	const char *proc_root;        /* ["/proc"] where <pid>/task/<tid>/patch_state are */
	const char *root_dir;         /* ["/"] installed payload paths are resolved below it */
	unsigned transition_timeout;  /* seconds a klp transition may take [60 when 0] */
	unsigned poll_interval_ms;    /* how often state is re-read [100 when 0] */
	const char *kernel_release;   /* the running kernel, for vermagic [uname -r] */
	const char *exec_conf_dir;    /* [HP_SYSCONFDIR "/hotpatch/engines.d"] */
	const char *kpatch_path;      /* kpatch program [searched in $PATH] */
	int force;                    /* operator flag: a stalled klp transition may be
				       * forced (written to `force`); never otherwise */
	const struct hp_klp_syscalls *klp_syscalls; /* [the real syscalls]; not copied:
						     * must outlive the engine */
};

/* What to make live: one installed hotpatch package. Nothing is owned; all
 * strings belong to the caller. */
struct hp_engine_item {
	const char *package;          /* NEVRA, for messages and the journal */
	const char *component;        /* e.g. "kernel-core" */
	const char *build;            /* the build EVR it patches */
	const char *payload;          /* installed path, absolute, below /usr/lib/hotpatch/
				       * (resolved below config root_dir); for klp/kpatch the .ko */
	const char *payload_sha256;   /* expected lower-case hex sha256; NULL = skip the check */
	const char *live_name;        /* the live patch's name if known (from list_live);
				       * NULL = derived from the payload (klp: modinfo name=) */
};

/* One patch that is live (or in transition) now. Owns its strings. */
struct hp_live_patch {
	char *name;                   /* klp/kpatch: module name; exec: a line of `list` */
	char *package;                /* NEVRA when the engine knows it, else NULL: the
				       * caller maps names to packages (hp_engine_live_name) */
	int enabled;                  /* 1 enabled, 0 disabled (being removed) */
	int transition;               /* 1 while a klp transition is in progress */
};

/* Frees `nr` patches and the array itself (as returned by list_live). */
void hp_live_patches_free(struct hp_live_patch *p, size_t nr);

struct hp_engine;

struct hp_engine_ops {
	const char *name;
	/* 0 when this engine can be used here, else -1 and why. */
	int (*probe)(struct hp_engine *e, struct hp_strbuf *err);
	/* Makes `it` live; on failure reverses whatever it did, returns -1. */
	int (*apply)(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err);
	/* Makes `it` not live. 0 also when it was not live. */
	int (*revert)(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err);
	/* *out: malloc'd array of *nr patches, free with hp_live_patches_free. */
	int (*list_live)(struct hp_engine *e, struct hp_live_patch **out, size_t *nr,
			 struct hp_strbuf *err);
	/* 1 live now, 0 not live (absent, disabled or still in transition), -1 error. */
	int (*is_live)(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err);
	/* Frees the engine's private data (may be NULL). */
	void (*release)(struct hp_engine *e);
};

/* An engine instance. Callers use the hp_engine_* wrappers; the fields are
 * for the engine implementations. */
struct hp_engine {
	const struct hp_engine_ops *ops;
	char *name;                   /* "klp", "kpatch" or the exec engine name */
	/* Private copies of the config strings, defaults filled in. */
	char *sysfs_root, *proc_root, *root_dir, *kernel_release, *exec_conf_dir, *kpatch_path;
	unsigned transition_timeout, poll_interval_ms;
	int force;
	const struct hp_klp_syscalls *klp_syscalls;
	void *priv;                   /* engine-specific, freed by ops->release */
};

/* Returns the engine called `name` ("klp", "kpatch", or an exec engine whose
 * config file is read and checked now), or NULL with the reason in `err`
 * (unknown name, invalid name, unsafe or invalid config file). Does not
 * probe. Caller frees with hp_engine_free. */
struct hp_engine *hp_engine_get(const char *name, const struct hp_engine_config *cfg,
				struct hp_strbuf *err);
void hp_engine_free(struct hp_engine *e);   /* NULL is fine */

/* Wrappers over e->ops (same contracts as struct hp_engine_ops). */
const char *hp_engine_name(const struct hp_engine *e);
int hp_engine_probe(struct hp_engine *e, struct hp_strbuf *err);
int hp_engine_apply(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err);
int hp_engine_revert(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err);
int hp_engine_list_live(struct hp_engine *e, struct hp_live_patch **out, size_t *nr,
			struct hp_strbuf *err);
int hp_engine_is_live(struct hp_engine *e, const struct hp_engine_item *it, struct hp_strbuf *err);

/* The name `it` has (or would have) in list_live: it->live_name when set;
 * klp/kpatch: the module's modinfo name=; exec: the package NEVRA.
 * Returns malloc'd string (caller frees) or NULL with `err`. */
char *hp_engine_live_name(struct hp_engine *e, const struct hp_engine_item *it,
			  struct hp_strbuf *err);

/* The real path of it->payload: checked to be absolute, below
 * /usr/lib/hotpatch/ and free of ".." components, then joined to the root
 * directory. Returns malloc'd path (caller frees) or NULL with `err`. */
char *hp_engine_payload_path(const struct hp_engine *e, const struct hp_engine_item *it,
			     struct hp_strbuf *err);
/* When it->payload_sha256 is set, checks the payload file matches it. */
int hp_engine_check_sha256(const char *path, const struct hp_engine_item *it,
			   struct hp_strbuf *err);

/* Kernel module identity from a .ko's .modinfo ELF section, read with
 * hp_modinfo_parse (repo-meta/hp_pkgscan.h: bounds-checked, ELF64
 * little-endian; .ko, or .ko.xz/.ko.zst decompressed in memory). Owns its
 * strings and image. */
struct hp_ko_info {
	char *name;                   /* name= (NULL when absent) */
	char *vermagic;               /* vermagic= (always set on success) */
	int livepatch;                /* livepatch=Y */
	void *image;                  /* .ko.xz/.ko.zst: the decompressed module
				       * (malloc'd), else NULL */
	size_t image_len;
};
void hp_ko_info_release(struct hp_ko_info *ki);
int hp_ko_info_read(const char *path, struct hp_ko_info *ki, struct hp_strbuf *err);
/* As hp_ko_info_read, through an open fd (read from offset 0), also checking
 * the item's payload_sha256 when set: the klp engine checks and loads the
 * same open file, so nothing can swap the module in between. */
int hp_ko_info_read_fd(int fd, const char *path, const struct hp_engine_item *it,
		       struct hp_ko_info *ki, struct hp_strbuf *err);

/* Engine constructors (engine.c dispatches by name). They fill e->ops and
 * e->priv; return 0 or -1 with `err`. */
int hp_klp_engine_init(struct hp_engine *e, struct hp_strbuf *err);
int hp_kpatch_engine_init(struct hp_engine *e, struct hp_strbuf *err);
int hp_exec_engine_init(struct hp_engine *e, struct hp_strbuf *err);

/* Runs argv[0] (an absolute path; no shell) with argv, stdin from /dev/null,
 * in its own process group, killed (SIGKILL to the group) after `timeout_s`
 * seconds (0 = no limit). Its stdout is appended to `out` when `out` is not
 * NULL; its stderr is kept for the error message. Returns the exit status
 * (0..255) or -1 with `err` (cannot start, killed by a signal, timed out). */
int hp_engine_run(const char *const *argv, unsigned timeout_s, struct hp_strbuf *out,
		  struct hp_strbuf *err);

/* Sleeps `ms` milliseconds (engines poll sysfs and children with it). */
void hp_engine_sleep_ms(unsigned ms);

#endif
