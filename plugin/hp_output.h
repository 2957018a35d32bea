/* Output of the client commands: JSON objects (json-c) with the field names
 * DESIGN.md fixes, and aligned text tables for people. */
#ifndef HP_OUTPUT_H
#define HP_OUTPUT_H

#include <stdio.h>

#include <json-c/json.h>

#include "hp_json.h"    /* hp_json_str, hp_json_strings, hp_json_print */
#include "hp_resolve.h"
#include "hp_table.h"   /* hp_table_*: the text tables */
#include "hp_updateinfo.h"
#include "hp_util.h"

/* Each returns a new reference (caller json_object_put()s it, or hands it to
 * json_object_object_add/array_add, which take it over). */

/* [{"name","evr"[,"release"][,"overridden":true]}] */
struct json_object *hp_json_running(const struct hp_running *run, size_t nr);
/* {"id","kind","issued","supported_until"(string|null),"expired","repo"} or null */
struct json_object *hp_json_baseline(const struct hp_res_baseline *b);
/* {"package","evr","arch","component","build","engine","cves":[],"repo"} */
struct json_object *hp_json_hotpatch(const struct hp_res_hotpatch *h);
/* [hp_json_hotpatch...] */
struct json_object *hp_json_hotpatches(const struct hp_res_hotpatch *h, size_t nr);
/* [{"name","evr","baseline","reason"}] */
struct json_object *hp_json_held_back(const struct hp_res_held *h, size_t nr);

/* [{"name","evr","arch","advisory"}] */
struct json_object *hp_json_reboot_suggested(const struct hp_reboot_pkgs *l);

/* The `check --json` object: running, baseline, available, installed,
 * held_back, reboot_suggested (only when `reboot` is not NULL: check
 * --updateinfo), messages (a then b). Reads nothing it is given after. */
struct json_object *hp_json_check(const struct hp_running *run, size_t nr_run,
				  const struct hp_resolution *res,
				  const struct hp_strvec *messages,
				  const struct hp_reboot_pkgs *reboot);


/* Text for `check`: the running builds, the table of available hotpatches
 * and a summary line; held-back updates, the packages of reboot_suggested
 * advisories (when `reboot` is not NULL) after it. The messages (notes) are
 * the command layer's to print, on stderr. */
void hp_output_check_text(FILE *f, const struct hp_running *run, size_t nr_run,
			  const struct hp_resolution *res, const struct hp_reboot_pkgs *reboot);

#endif
