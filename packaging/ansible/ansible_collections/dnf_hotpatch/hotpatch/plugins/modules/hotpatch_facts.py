#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dnf-hotpatch authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: hotpatch_facts
short_description: The hotpatch state of a machine as facts
description:
  - Runs C(hotpatch status --json) and returns the object as the fact C(hotpatch), with the running builds, the baseline
    (with C(support_end)), installed hotpatches and whether each is live (asked from the engines), orphans,
    offered and held-back updates, C(reboot), per-repository C(repos) (revision, generated, expires,
    age_seconds, error) and C(last_apply).
  - Also returns C(reboot) (needed, for_baseline, reasons) for rollout reports.
  - Changes nothing. A repository that cannot be read is a warning, not a failure (the object still holds
    everything read offline from the rpmdb, the engines and the journal).
version_added: "0.1.0"
author: dnf-hotpatch authors
options: {}
extends_documentation_fragment:
  - dnf_hotpatch.hotpatch.client
seealso:
  - module: dnf_hotpatch.hotpatch.hotpatch
"""

EXAMPLES = r"""
- name: Read the hotpatch state
  dnf_hotpatch.hotpatch.hotpatch_facts:

- name: Machines whose baseline support has ended
  ansible.builtin.debug:
    msg: "{{ inventory_hostname }}: baseline {{ ansible_facts.hotpatch.baseline.id }} support ended"
  when: ansible_facts.hotpatch.baseline and ansible_facts.hotpatch.baseline.expired
"""

RETURN = r"""
ansible_facts:
  description: C(hotpatch), the C(hotpatch status --json) object.
  returned: always
  type: dict
reboot:
  description: C(needed) (bool), C(for_baseline) (baselines that bring held-back updates), C(reasons).
  returned: always
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.dnf_hotpatch.hotpatch.plugins.module_utils.hotpatch_client import (
    COMMON_ARGS, reboot_summary, status)


def main():
    module = AnsibleModule(argument_spec=dict(COMMON_ARGS), supports_check_mode=True)
    st, warnings = status(module)
    for w in warnings:
        module.warn(w)
    module.exit_json(changed=False, ansible_facts={"hotpatch": st}, reboot=reboot_summary(st))


if __name__ == "__main__":
    main()
