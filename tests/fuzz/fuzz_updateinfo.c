/* updateinfo (any compression) through hp_updateinfo_read, as
 * `check --updateinfo` reads it. */
#include "fuzz_util.h"
#include "hp_updateinfo.h"

static void each(const struct hp_advisory *adv, const char *name, const char *evr,
		 const char *arch, void *data)
{
	size_t *n = data;

	(void)adv;
	*n += strlen(name ? name : "") + strlen(evr ? evr : "") + strlen(arch ? arch : "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	char *path = fuzz_write("updateinfo.xml", data, size);
	size_t n = 0;

	hp_updateinfo_read(path, each, &n, &err);
	free(path);
	hp_strbuf_release(&err);
	return 0;
}
