/* repomd.xml as the client reads it (hp_repomd_read), then the records'
 * location checks. */
#include "fuzz_util.h"
#include "hp_repomd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_repomd md;
	char *path = fuzz_write("repodata/repomd.xml", data, size);

	hp_repomd_init(&md);
	if (!hp_repomd_read(&md, path, &err)) {
		for (size_t i = 0; i < md.nr; i++) {
			hp_strbuf_reset(&err);
			hp_repomd_check_location(fuzz_dir(), &md.entries[i], &err);
		}
	}
	hp_repomd_release(&md);
	free(path);
	hp_strbuf_release(&err);
	return 0;
}
