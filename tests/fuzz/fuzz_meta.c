/* The hotpatch metadata reader as the client runs it on a repository's
 * record: any of gzip, xz, bzip2, zstd or plain XML, decoded and parsed
 * (hp_meta_read_file), then validated. */
#include "fuzz_util.h"
#include "hp_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_strbuf err = HP_STRBUF_INIT, problems = HP_STRBUF_INIT;
	struct hp_meta m;
	char *path = fuzz_write("hotpatch.xml", data, size);

	if (!hp_meta_read_file(&m, path, &err)) {
		hp_meta_validate(&m, &problems);
		hp_meta_release(&m);
	}
	free(path);
	hp_strbuf_release(&err);
	hp_strbuf_release(&problems);
	return 0;
}
