/* The ELF .modinfo parser (a kernel module's identity), straight on the
 * input bytes. */
#include "fuzz_util.h"
#include "hp_pkgscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_modinfo mi;

	hp_modinfo_init(&mi);
	if (!hp_modinfo_parse(&mi, data, size, "fuzz.ko", &err)) {
		char *rel = hp_vermagic_release(mi.vermagic ? mi.vermagic : "");

		free(rel);
	}
	hp_modinfo_release(&mi);
	hp_strbuf_release(&err);
	return 0;
}
