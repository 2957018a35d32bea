/* The state journal as a run opens it: the file, then the records read,
 * the pending intents found and the next sequence number derived. */
#include "fuzz_util.h"
#include "hp_journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_strbuf err = HP_STRBUF_INIT;
	struct hp_journal_entry *v = NULL;
	struct hp_journal *j;
	char *path = fuzz_write("journal/journal.jsonl", data, size);
	char *dir = hp_path_join(fuzz_dir(), "journal");
	size_t nr = 0;

	j = hp_journal_open(dir, &err);
	if (j) {
		if (!hp_journal_read(j, &v, &nr, &err))
			hp_journal_entries_free(v, nr);
		if (!hp_journal_pending(j, &v, &nr, &err))
			hp_journal_entries_free(v, nr);
		hp_journal_close(j);
	}
	free(dir);
	free(path);
	hp_strbuf_release(&err);
	return 0;
}
