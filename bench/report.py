#!/usr/bin/python3
"""bench/report.py WORKDIR... - the RESULTS.md tables from bench/run.sh's
results.tsv and notes.tsv (one WORKDIR per scale): raw numbers, ratios
against the targets, and cost per scale (linearity)."""
import sys


def load(d):
    res, notes = {}, {}
    with open(d + "/results.tsv") as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            res[c[0]] = {"med": float(c[1]), "min": float(c[2]), "max": float(c[3]),
                         "rss": int(c[4]), "exit": c[5], "crashes": int(c[6]) if len(c) > 6 else 0}
    with open(d + "/notes.tsv") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            notes[k] = v
    return res, notes


def ratio(a, b):
    if a is None or b is None:
        return None
    if b <= 0:
        return None
    return a / b


def fmt(r):
    return "n/a" if r is None else "%.3fx" % r


TARGETS = [
    # label, ours, theirs, field, target
    ("hotpatch check cold / dnf check-update cold", "hp_check_cold", "dnf_checkupdate_cold", "med", 0.10),
    ("hotpatch check warm / dnf check-update warm", "hp_check_warm", "dnf_checkupdate_warm", "med", 0.25),
    ("hotpatch check peak RSS / dnf check-update cold peak RSS", "hp_check_cold", "dnf_checkupdate_cold", "rss", 0.5),
    ("hotpatch check peak RSS / dnf check-update warm peak RSS", "hp_check_warm", "dnf_checkupdate_warm", "rss", 0.5),
    ("hotpatch check --updateinfo cold / dnf check-update cold", "hp_check_ui_cold", "dnf_checkupdate_cold", "med", 0.10),
    ("hotpatch check --updateinfo warm / dnf check-update warm", "hp_check_ui_warm", "dnf_checkupdate_warm", "med", 0.25),
    ("dnf upgrade --hotpatch --assumeno / dnf upgrade --assumeno", "dnf_upgrade_hotpatch", "dnf_upgrade_plain", "med", 1.10),
    ("hotpatch-repo publish / createrepo_c --update (one new hotpatch)", "publish_one", "createrepo_update_one", "med", 0.10),
    ("hotpatch-repo publish / createrepo_c --update --no-database (one new hotpatch)", "publish_one", "createrepo_update_one_nodb", "med", 0.10),
    ("hotpatch-repo publish from scratch / createrepo_c from scratch (real-file subset)", "publish_scratch", "createrepo_scratch_realfiles", "med", None),
    ("hotpatch check warm / floor (hotpatch.xml.gz)", "hp_check_warm", "floor_hotpatch", "med", None),
    ("dnf check-update warm / floor (primary+filelists+updateinfo)", "dnf_checkupdate_warm", "floor_dnf", "med", None),
    ("dnf check-update cold / floor (primary+filelists+updateinfo)", "dnf_checkupdate_cold", "floor_dnf", "med", None),
    ("hotpatch-repo publish / floor (primary+updateinfo)", "publish_one", "floor_primary_updateinfo", "med", None),
    ("createrepo_c --update / floor (primary+filelists+updateinfo)", "createrepo_update_one", "floor_dnf", "med", None),
]


def main():
    runs = [load(d) for d in sys.argv[1:]]
    runs.sort(key=lambda r: int(r[1].get("scale", 0)))
    out = sys.stdout.write
    for res, notes in runs:
        out("\n### Scale %s packages (%s hotpatch RPMs, %s baselines, %s installed, %s runs each)\n\n"
            % (notes.get("scale"), notes.get("hotpatch_rpms"), notes.get("baselines"),
               notes.get("installed"), notes.get("runs")))
        out("Metadata: primary %.1f MB, filelists %.1f MB, other %.1f MB, updateinfo %.1f MB, "
            "hotpatch %.2f MB (compressed). Plugin: %s.\n\n"
            % tuple([int(notes.get("size_" + t, 0)) / 1e6 for t in
                     ("primary", "filelists", "other", "updateinfo", "hotpatch")] + [notes.get("plugin")]))
        out("| measurement | median s | min-max s | peak RSS MiB | exit codes | crashes |\n")
        out("|---|---:|---:|---:|---|---:|\n")
        for name, r in res.items():
            out("| %s | %.3f | %.3f-%.3f | %.1f | %s | %d |\n"
                % (name, r["med"], r["min"], r["max"], r["rss"] / 1024, r["exit"], r["crashes"]))
        out("\n| ratio (ours / theirs) | value | target | |\n|---|---:|---:|---|\n")
        for label, a, b, field, target in TARGETS:
            ra = res.get(a, {}).get(field)
            rb = res.get(b, {}).get(field)
            r = ratio(ra, rb)
            if a == "dnf_upgrade_hotpatch" and a not in res:
                out("| %s | %s | <= %.2fx | |\n" % (label, notes.get("plugin"), target))
                continue
            verdict = ""
            if target is not None and r is not None:
                verdict = "met" if r <= target else "**MISSED**"
            if r is None and rb is not None and rb <= 0:
                verdict = "floor below timer resolution (10 ms)"
            out("| %s | %s | %s | %s |\n" % (label, fmt(r), "<= %.2fx" % target if target else "-", verdict))
    if len(runs) > 1:
        out("\n### Cost per scale (median seconds; peak RSS MiB)\n\n")
        names = list(runs[0][0].keys())
        out("| measurement | " + " | ".join("%s pkgs" % n["scale"] for _, n in runs) + " |\n")
        out("|---|" + "---:|" * len(runs) + "\n")
        for name in names:
            cells = []
            for res, _ in runs:
                r = res.get(name)
                cells.append("%.2f s / %.0f MiB" % (r["med"], r["rss"] / 1024) if r else "-")
            out("| %s | %s |\n" % (name, " | ".join(cells)))


if __name__ == "__main__":
    main()
