/* hotpatch needs-reboot: exit 0 no, 1 yes, as `needs-restarting -r`.
 *
 * A reboot is needed when a newer build of a reboot-requiring component is
 * installed than the one running (for the kernel: the newest installed
 * kernel package is not the running one). The list of reboot-requiring
 * packages is dnf needs-restarting's. Live hotpatches do not change this
 * answer yet: the engines make it aware of them (a fix that is live does
 * not need the reboot its package would). */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <solv/evr.h>

#include "hp_cli.h"
#include "hp_output.h"

static const char *const reboot_packages[] = {
	"kernel*", "glibc", "systemd", "dbus*", "linux-firmware", "microcode_ctl", NULL,
};

static int reboot_requiring(const char *name)
{
	for (size_t i = 0; reboot_packages[i]; i++)
		if (!fnmatch(reboot_packages[i], name, 0))
			return 1;
	return 0;
}

/* Newer than `evr` installed? Appends the reason. */
static int newer_installed(struct hp_cli_ctx *ctx, const char *name, const char *evr,
			   const char *what, struct hp_strvec *why)
{
	Pool *pool = ctx->sys.pool;
	const char *newest = hp_pool_newest_installed(pool, name);

	if (!newest || pool_evrcmp_str(pool, newest, evr, EVRCMP_COMPARE) <= 0)
		return 0;
	hp_strvec_pushf(why, "%s %s-%s is installed, %s-%s is running", what, name, newest,
			name, evr);
	return 1;
}

int hp_cli_reboot_needed(struct hp_cli_ctx *ctx, struct hp_strvec *why)
{
	struct hp_system *s = &ctx->sys;
	const struct hp_running *kr;
	int needed = 0;

	if (!s->pool)
		return 0;
	/* --running applies even when nothing was resolved. */
	if (!s->nr_running && ctx->opts->running.nr) {
		struct hp_strbuf err = HP_STRBUF_INIT;

		hp_system_detect_running(s, NULL, &ctx->opts->running, &err);
		hp_strbuf_release(&err);   /* overrides were validated by the parser */
	}
	kr = s->kernel_name ? hp_system_running(s, s->kernel_name) : NULL;
	if (s->kernel_name && !(kr && kr->overridden)) {
		needed |= newer_installed(ctx, s->kernel_name, s->kernel_evr, "newer kernel", why);
	} else if (!s->kernel_name && s->uname_r) {
		/* The running kernel is no installed package (any more), but
		 * kernel packages are installed: booting one is the way back. */
		static const char *const kernels[] = { "kernel-core", "kernel", "kernel-default", NULL };

		for (size_t i = 0; kernels[i]; i++) {
			const char *newest = hp_pool_newest_installed(s->pool, kernels[i]);

			if (newest && !hp_system_running(s, kernels[i])) {
				hp_strvec_pushf(why, "running kernel %s is not installed; %s-%s is",
						s->uname_r, kernels[i], newest);
				needed = 1;
				break;
			}
		}
	}
	/* Other components run at the installed build unless told otherwise
	 * (--running, or what the engines detect); detected kernels are
	 * handled above. */
	for (size_t i = 0; i < s->nr_running; i++) {
		const struct hp_running *r = &s->running[i];

		if (hp_is_kernel_component(r->name) && !r->overridden)
			continue;
		if (reboot_requiring(r->name))
			needed |= newer_installed(ctx, r->name, r->evr, "newer", why);
	}
	return needed;
}

int hp_cmd_needs_reboot(struct hp_cli_ctx *ctx, int argc, char **argv)
{
	struct hp_strvec why = HP_STRVEC_INIT;
	int needed = hp_cli_reboot_needed(ctx, &why);

	if (ctx->opts->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "reboot_needed", json_object_new_boolean(needed));
		json_object_object_add(o, "reasons", hp_json_strings(&why, NULL));
		hp_json_print(stdout, o);
	} else if (needed) {
		printf("Reboot is required:\n");
		for (size_t i = 0; i < why.nr; i++)
			printf("  * %s\n", why.v[i]);
	} else {
		printf("No reboot is required.\n");
	}
	hp_strvec_release(&why);
	return needed ? HP_EXIT_ERROR : HP_EXIT_OK;
}
