# policy.py - the plugin's decisions over plain data: dry runs, whether the
# installroot is the running system, what needs a reboot, and why each
# update is held back.  The plugin asks dnf's sack the questions these
# name and hands the answers back (names, NEVRAs, EVRs).

from __future__ import absolute_import
from __future__ import unicode_literals

import logging
import os

logger = logging.getLogger('dnf.plugin.hotpatch')

KERNEL_BUILD = 'a kernel build package (installonlypkg(kernel), installonlypkgs)'


def dry_run(base):
    """Why this run may change nothing, or None: --assumeno, --downloadonly,
    tsflags=test (base.conf).  dnf calls the command's run_transaction()
    after those too (and after "Nothing to do"); a declined prompt never
    gets there."""
    conf = base.conf
    if conf.assumeno:
        return '--assumeno'
    if getattr(conf, 'downloadonly', False):
        return '--downloadonly'
    if 'test' in (conf.tsflags or []):
        return 'tsflags=test'
    return None


def root_is_live(base):
    """Whether dnf's installroot is the running system: "/", or any root
    with HP_ROOT_IS_LIVE=1 (the hotpatch command's own rule)."""
    root = base.conf.installroot
    if not root or os.path.realpath(root) == '/':
        return True
    return os.environ.get('HP_ROOT_IS_LIVE') == '1'


def needs_restarting_names(base):
    """The package names in <installroot>/etc/dnf/plugins/needs-restarting.d/
    *.conf, one a line, as dnf's needs-restarting reads them."""
    d = os.path.join(base.conf.installroot or '/', 'etc/dnf/plugins/needs-restarting.d')
    names = set()
    try:
        files = sorted(os.listdir(d))
    except OSError:
        return names
    for f in files:
        path = os.path.join(d, f)
        if not f.endswith('.conf') or os.path.isdir(path):
            continue
        try:
            with open(path) as fp:
                names.update(l.strip() for l in fp if l.strip() and not l.startswith('#'))
        except OSError as e:
            logger.warning('hotpatch: cannot read %s: %s', path, e.strerror)
    return names


def reboot_rules(reboot_requiring, listed, installonlypkgs):
    """What needs a reboot, in the order reasons are given: [(why, globs,
    names, provides)], each a question for the sack (the globs run in C on
    the sack, not in Python over every available name).  reboot_requiring
    in its order, then the names `listed` in needs-restarting.d, then the
    packages of a kernel build (installonlypkg(kernel), and dnf's
    installonlypkgs entries that name a kernel)."""
    rules = [("'%s' in reboot_requiring" % pat, [pat], [], []) for pat in reboot_requiring]
    if listed:
        rules.append(('listed in needs-restarting.d', [], sorted(listed), []))
    names, provides = [], ['installonlypkg(kernel)']
    for item in installonlypkgs:
        if 'kernel' not in item:
            continue        # installonlypkg(vm) and the like: no kernel build
        (provides if '(' in item else names).append(item)
    rules.append((KERNEL_BUILD, [], names, sorted(set(provides))))
    return rules


def check_components(check, installed):
    """The hotpatch components to look for (hotpatch(<component>)
    provides): those check's answer names and those of the installed
    hotpatches (`installed`)."""
    comps = set(installed)
    for key in ('running', 'held_back'):
        for r in (check or {}).get(key) or []:
            comps.add(r['name'])
    for key in ('available', 'installed'):
        for r in (check or {}).get(key) or []:
            if r.get('component'):
                comps.add(r['component'])
    return comps


def provided_components(provides):
    """X of every hotpatch(X) among the provide strings."""
    return set(p[len('hotpatch('):p.index(')')] for p in provides
               if p.startswith('hotpatch(') and ')' in p)


class Holds(object):
    """Why updates are held back: check's held_back (baseline components),
    the reboot rules' names and the packages of reboot_suggested advisories.
    A hotpatch package is never held (hotpatch_names)."""

    def __init__(self, check):
        self.by_check = dict((h['name'], h) for h in (check or {}).get('held_back') or [])
        self.advisories = {}    # (name, evr, arch) -> the first advisory naming it
        for r in (check or {}).get('reboot_suggested') or []:
            self.advisories.setdefault((r['name'], r['evr'], r['arch']), r['advisory'])
        self.reasons = {}       # name -> (baseline id or None, reason)

    def candidates(self, matched):
        """Every name that may be held: the sack decides which of them are
        hotpatch packages.  `matched`: [(why, names)] of reboot_rules."""
        cands = set(self.by_check)
        for why, names in matched:
            cands.update(names)
        cands.update(name for name, evr, arch in self.advisories)
        return cands

    def by_name(self, matched, hotpatch_names):
        """The reasons of the names held whatever their version: the first
        matching rule, overridden by check's held_back (its baseline)."""
        for why, names in matched:
            for name in names:
                if name not in hotpatch_names and name not in self.reasons:
                    self.reasons[name] = (None, 'needs a reboot: %s' % why)
        for name, h in self.by_check.items():
            if name not in hotpatch_names:
                self.reasons[name] = (h.get('baseline'), h.get('reason') or 'baseline component')
        return self.reasons

    def advised(self, hotpatch_names):
        """[((name, evr, arch), advisory)] sorted: the advisory packages not
        held already; each holds its name when that exact NEVRA is available
        (advise())."""
        return [(key, adv) for key, adv in sorted(self.advisories.items())
                if key[0] not in hotpatch_names and key[0] not in self.reasons]

    def advise(self, name, advisory):
        self.reasons[name] = (None, 'advisory %s suggests a reboot' % advisory)

    def held(self, updates, evr_cmp):
        """name -> (evr, baseline id or None, reason): the newest held update
        of each name (`updates`: (name, evr) of the available upgrades
        hidden), and check's held_back entries no update names."""
        held = {}
        for name, evr in updates:
            cur = held.get(name)
            if cur is None or evr_cmp(evr, cur[0]) > 0:
                held[name] = (evr,) + self.reasons[name]
        for name, h in self.by_check.items():
            if name not in held:
                held[name] = (h.get('evr'), h.get('baseline'),
                              h.get('reason') or 'baseline component')
        return held
