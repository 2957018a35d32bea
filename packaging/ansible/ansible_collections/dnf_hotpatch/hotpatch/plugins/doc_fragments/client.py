# -*- coding: utf-8 -*-
# Copyright: dnf-hotpatch authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options every module of the collection takes (module_utils COMMON_ARGS)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  root:
    description:
      - The system to act on. C(/) is the running system; another directory is an installroot
        (C(dnf --installroot), C(hotpatch --root)), e.g. a container image standing for a live system.
    type: path
    default: /
  hotpatch_command:
    description: The hotpatch program.
    type: path
    default: hotpatch
notes:
  - Supports check mode.
  - Environment variables of the task (C(environment:)), e.g. C(HP_ROOT_IS_LIVE), reach C(hotpatch) and dnf.
"""
