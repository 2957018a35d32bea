#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dnf-hotpatch authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: hotpatch
short_description: Make the hotpatches for the running builds live, or revert them
description:
  - With I(state=live), installs the hotpatches offered for the builds that are running and every update
    that needs no reboot (C(dnf upgrade --hotpatch -y), which holds back reboot-requiring updates), then
    live-applies the installed hotpatches (C(hotpatch apply --all)).
  - With I(state=reverted), makes live hotpatches not live (C(hotpatch revert)); packages stay installed.
  - Returns the machine's C(hotpatch status --json) object after the change as the fact C(hotpatch), and
    C(reboot) saying whether and why the machine needs a reboot (needs-reboot reasons, baseline support
    ended, updates held back for a newer baseline).
  - C(changed) is true only when the installed hotpatches or their live state differ afterwards, as the
    engines report them, or when dnf ran a transaction. In check mode nothing runs but C(hotpatch status);
    C(changed) then says whether a hotpatch is offered or an installed one is not live (I(state=live)), or
    one is live (I(state=reverted)); other updates dnf would install are not predicted in check mode.
version_added: "0.1.0"
author: dnf-hotpatch authors
options:
  state:
    description: C(live) installs and applies; C(reverted) makes live hotpatches not live.
    type: str
    choices: [live, reverted]
    default: live
  packages:
    description:
      - I(state=reverted) only; hotpatch package names (or NEVRAs, or live names of orphans) to revert.
        Empty reverts every live hotpatch (C(revert --all)).
    type: list
    elements: str
    default: []
  update:
    description:
      - I(state=live) only; run C(dnf upgrade --hotpatch) first. C(false) only applies what is installed.
    type: bool
    default: true
  timeout:
    description: Seconds an engine may take to make one hotpatch live (klp transition); C(--timeout).
    type: int
    default: 60
  dnf_command:
    description: The dnf program.
    type: path
    default: dnf
  dnf_args:
    description: Extra dnf options, e.g. C(--releasever=12) for an installroot without a release package.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - dnf_hotpatch.hotpatch.client
notes:
  - A repository the client cannot read is a warning (its error is in C(hotpatch.repos)), not a failure;
    a failed dnf transaction or apply fails the task.
seealso:
  - module: dnf_hotpatch.hotpatch.hotpatch_facts
"""

EXAMPLES = r"""
- name: Make the hotpatches for the running builds live
  dnf_hotpatch.hotpatch.hotpatch:
    state: live
  register: hp

- name: Say which machines wait for a reboot into a newer baseline
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }} needs a reboot: {{ hp.reboot.reasons }}"
  when: hp.reboot.needed or hp.reboot.for_baseline

- name: Take one hotpatch back
  dnf_hotpatch.hotpatch.hotpatch:
    state: reverted
    packages: [kernel-hotpatch-6.1.0-57]
"""

RETURN = r"""
ansible_facts:
  description: C(hotpatch), the C(hotpatch status --json) object after the change.
  returned: always
  type: dict
status:
  description: The same object.
  returned: always
  type: dict
before:
  description: C(hotpatch status --json) before the change.
  returned: always
  type: dict
reboot:
  description: C(needed) (bool), C(for_baseline) (baselines that bring held-back updates), C(reasons).
  returned: always
  type: dict
commands:
  description: The commands run (or, in check mode, that would run).
  returned: always
  type: list
  elements: list
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.dnf_hotpatch.hotpatch.plugins.module_utils.hotpatch_client import (
    COMMON_ARGS, live_set, pending_live, reboot_summary, repo_errors, root_args, run_hotpatch, status)


def dnf_upgrade_cmd(p):
    cmd = [p["dnf_command"], "-y"]
    if p["root"] and p["root"] != "/":
        cmd += ["--installroot", p["root"]]
    return cmd + list(p["dnf_args"]) + ["upgrade", "--hotpatch"]


def main():
    args = dict(
        state=dict(type="str", choices=["live", "reverted"], default="live"),
        packages=dict(type="list", elements="str", default=[]),
        update=dict(type="bool", default=True),
        timeout=dict(type="int", default=60),
        dnf_command=dict(type="path", default="dnf"),
        dnf_args=dict(type="list", elements="str", default=[]),
    )
    args.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=args, supports_check_mode=True)
    p = module.params

    before, warnings = status(module)
    for w in warnings:
        module.warn(w)   # refused repositories, one line each
    commands = []
    if p["state"] == "live":
        if p["update"]:
            commands.append(dnf_upgrade_cmd(p))
        commands.append([p["hotpatch_command"]] + root_args(p["root"])
                        + ["apply", "--all", "--timeout", str(p["timeout"])])
        would = bool(before.get("available")) or bool(pending_live(before))
    else:
        words = list(p["packages"]) or ["--all"]
        commands.append([p["hotpatch_command"]] + root_args(p["root"])
                        + ["revert"] + words + ["--timeout", str(p["timeout"])])
        live = [h for h in before.get("installed", []) if h.get("live") == "yes"]
        if p["packages"]:
            live = [h for h in live if h.get("package") in p["packages"]
                    or "%s-%s.%s" % (h.get("package"), h.get("evr"), h.get("arch")) in p["packages"]]
            would = bool(live) or any(o.get("live_name") in p["packages"] for o in before.get("orphans", []))
        else:
            would = bool(live) or bool(before.get("orphans"))

    if module.check_mode:
        module.exit_json(changed=would, status=before, before=before, ansible_facts={"hotpatch": before},
                         reboot=reboot_summary(before), commands=commands)

    results = []
    for cmd in commands:
        rc, out, err = module.run_command(cmd)
        results.append({"cmd": cmd, "rc": rc, "stdout": out, "stderr": err})
        if rc != 0:
            after, _ = status(module)
            module.fail_json(msg="%s failed (exit %d): %s" % (" ".join(cmd), rc, (err or out).strip()),
                             rc=rc, results=results, status=after, before=before,
                             changed=live_set(before) != live_set(after))
    after, _ = status(module)
    for rid, why in repo_errors(after):
        module.warn("repository %s not read: %s" % (rid, why))
    # dnf installed something (other updates too) unless it said there was
    # nothing to do; the hotpatches' live state is compared as the engines
    # report it.
    dnf_changed = any(r["cmd"][0] == p["dnf_command"] and "Nothing to do." not in r["stdout"]
                      for r in results)
    module.exit_json(changed=dnf_changed or live_set(before) != live_set(after), status=after, before=before,
                     ansible_facts={"hotpatch": after}, reboot=reboot_summary(after),
                     commands=commands, results=results)


if __name__ == "__main__":
    main()
