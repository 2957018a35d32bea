# -*- coding: utf-8 -*-
# Copyright: dnf-hotpatch authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the modules share: running the `hotpatch` command and reading its
`status --json` object (docs/DESIGN.md is the contract of its fields).

The command runs with the module's environment, so HP_* variables set on
the play or task (`environment:`) reach it and, through dnf, the plugin."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# Options every module takes (merged into each argument_spec).
COMMON_ARGS = dict(
    root=dict(type="path", default="/"),
    hotpatch_command=dict(type="path", default="hotpatch"),
)


def root_args(root):
    """--root ROOT unless it is the running system."""
    if root and root != "/":
        return ["--root", root]
    return []


def run_hotpatch(module, words, check_rc=False):
    """Runs `hotpatch [--root R] WORDS...`; returns (rc, stdout, stderr)."""
    p = module.params
    cmd = [p["hotpatch_command"]] + root_args(p["root"]) + list(words)
    return module.run_command(cmd, check_rc=check_rc)


def status(module):
    """The `status --json` object, plus the stderr lines of repositories that
    were refused (status exits 1 then but still prints the whole object).
    Fails the module when there is no JSON object to read."""
    rc, out, err = run_hotpatch(module, ["status", "--json"])
    try:
        st = json.loads(out)
    except ValueError:
        module.fail_json(msg="hotpatch status --json failed (exit %d): %s"
                         % (rc, err.strip() or out.strip()), rc=rc)
    warnings = [line for line in err.splitlines() if line.strip()]
    return st, warnings


def repo_errors(st):
    """[(id, why)] of the repositories the client could not read."""
    return [(r.get("id"), r.get("error")) for r in st.get("repos", []) if r.get("error")]


def live_set(st):
    """{NEVRA-ish key: live} of the installed hotpatches, to compare before and
    after a change ("yes", "no", "unknown")."""
    out = {}
    for h in st.get("installed", []):
        out["%s-%s.%s" % (h.get("package"), h.get("evr"), h.get("arch"))] = h.get("live")
    for o in st.get("orphans", []):
        out["orphan:" + o.get("live_name", "")] = "yes"
    return out


def pending_live(st):
    """Installed hotpatches for a running build that `apply` would make live
    (newest of their series, not live now)."""
    return [h for h in st.get("installed", [])
            if h.get("for_running") and h.get("newest", True) and h.get("live") != "yes"]


def reboot_summary(st):
    """Why this machine needs a reboot, for the rollout report: the
    needs-reboot reasons, the baseline whose support ended, and the updates
    held back for a newer baseline."""
    reasons = list(st.get("reboot", {}).get("reasons", []))
    b = st.get("baseline") or {}
    if b.get("expired"):
        reasons.append("support of baseline %s ended %s" % (b.get("id"), b.get("supported_until")))
    held = st.get("held_back", [])
    for h in held:
        reasons.append("%s-%s waits for baseline %s" % (h.get("name"), h.get("evr"), h.get("baseline")))
    return {
        "needed": bool(st.get("reboot", {}).get("needed")) or bool(b.get("expired")),
        "for_baseline": sorted(set(h.get("baseline") for h in held if h.get("baseline"))),
        "reasons": reasons,
    }
