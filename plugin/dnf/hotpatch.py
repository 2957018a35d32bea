# hotpatch.py - dnf 4 plugin for dnf-hotpatch.
#
#   dnf upgrade --hotpatch [-y]              (also: update, up, ...)
#   dnf hotpatch status|list|apply|revert [ARGS]
#
# A thin shim: resolution ("which hotpatch matches what is running, which
# updates need a reboot") and live apply are done by the `hotpatch` command
# (C), run with --json; the policy around it (hotpatch.conf, maintenance
# windows, repo groups, holds) is the dnf_hotpatch package; this file only
# turns their answers into dnf's own transaction (so dnf's gpgcheck,
# progress, history and plugins apply) and runs `hotpatch apply --all`
# afterwards.  See docs/dnf-plugin.md.
#
# Without --hotpatch and outside `dnf hotpatch`, the plugin does nothing: the
# upgrade command it installs is dnf's own with one more option.

from __future__ import absolute_import
from __future__ import unicode_literals

import argparse
import importlib.util
import logging
import os
import sys

import dnf
import dnf.cli
import dnf.exceptions
import hawkey
from dnf.cli.commands.upgrade import UpgradeCommand

logger = logging.getLogger('dnf.plugin.hotpatch')


def _load_policy_package(here):
    """dnf_hotpatch, the plugin's policy package, from beside this file
    first: plugin/dnf/dnf_hotpatch in a source tree, <site-packages>/
    dnf_hotpatch next to <site-packages>/dnf-plugins as installed (so a
    plugin in an --installroot uses the package installed with it), else
    from python's path (the imports below)."""
    for top in (here, os.path.dirname(here)):
        init = os.path.join(top, 'dnf_hotpatch', '__init__.py')
        if 'dnf_hotpatch' in sys.modules or not os.path.isfile(init):
            continue
        spec = importlib.util.spec_from_file_location(
            'dnf_hotpatch', init, submodule_search_locations=[os.path.dirname(init)])
        sys.modules['dnf_hotpatch'] = module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules['dnf_hotpatch']
            raise


_HERE = os.path.dirname(os.path.realpath(__file__))
_load_policy_package(_HERE)
try:
    from dnf_hotpatch.command import HP_EXIT_AVAILABLE, HP_EXIT_OK, Runner, refused_error
    from dnf_hotpatch.config import Settings, automatic_off, in_window, now_epoch
    from dnf_hotpatch.policy import (Holds, check_components, dry_run, needs_restarting_names,
                                     provided_components, reboot_rules, root_is_live)
except ImportError as e:
    # dnf: 'Failed loading plugin "hotpatch": <this>'; plain dnf runs on.
    raise ImportError("dnf-hotpatch: the plugin's python package dnf_hotpatch is missing "
                      "(looked in %s, %s and python's path): %s"
                      % (_HERE, os.path.dirname(_HERE), e))


class HotpatchUpgradeCommand(UpgradeCommand):
    """dnf's upgrade command plus --hotpatch.  Without the option every method
    is UpgradeCommand's."""

    settings_parser = None  # set by the plugin: libdnf ConfigParser of hotpatch.conf

    @staticmethod
    def set_argparser(parser):
        UpgradeCommand.set_argparser(parser)
        parser.add_argument('--hotpatch', action='store_true', default=False,
                            help='install the hotpatches for the running builds and make them '
                                 'live; hold back updates that need a reboot')

    def configure(self):
        super(HotpatchUpgradeCommand, self).configure()
        self.hp = None
        if not self.opts.hotpatch:
            return
        self.hp = HotpatchUpgrade(self.base, Settings(self.settings_parser))
        self.hp.configure()

    def run(self):
        if self.hp is not None:
            self.hp.before_upgrade()
        return super(HotpatchUpgradeCommand, self).run()

    def run_transaction(self):
        # Called by dnf's cli after a successful transaction and also after
        # "Nothing to do" (where no plugin transaction hook fires), never
        # after a failed or declined one.
        super(HotpatchUpgradeCommand, self).run_transaction()
        if self.hp is not None:
            self.hp.after_transaction()


def _installed_components(installed):
    """The components of the installed hotpatches: X of their hotpatch(X)
    provides.  A provides glob (hotpatch(*)) is matched against every
    provide in the sack (0.4 s at 60,000 packages) even on an installed-only
    query; the installed packages' own provides are a few thousand strings
    (2 ms)."""
    return provided_components(str(prov) for p in installed for prov in p.provides)


def _names_matching(query, pat):
    """The names in `query` that the glob `pat` matches (as hawkey's
    name__glob: fnmatch without flags).  'LITERAL*' (kernel*, dbus*) is a
    prefix: a substring filter, then the prefix test on its few results,
    is 4x cheaper than fnmatch over every name (0.8 ms vs 3 ms at 60,000
    packages)."""
    lit = pat[:-1]
    if pat.endswith('*') and lit and not any(c in lit for c in '*?[\\'):
        return set(p.name for p in query.filter(name__substr=lit) if p.name.startswith(lit))
    return set(p.name for p in query.filter(name__glob=pat))


def add_hotpatch_metadata(base):
    for repo in base.repos.iter_enabled():
        repo.add_metadata_type_to_download('hotpatch')


class HotpatchUpgrade(object):
    """What `dnf upgrade --hotpatch` adds around dnf's upgrade."""

    def __init__(self, base, settings):
        self.base = base
        self.settings = settings
        self.runner = Runner(base, settings)
        self.full = False       # inside the maintenance window: nothing held
        self.held = {}          # name -> (evr, baseline id or None, reason)
        self.check = None
        self.marked = []        # NEVRAs of the hotpatches marked for install

    def configure(self):
        self.runner.executable()    # fail before any download when missing
        add_hotpatch_metadata(self.base)
        # dnf disables a repo it cannot load when skip_if_unavailable is on
        self.enabled = dict((r.id, r) for r in self.base.repos.iter_enabled())
        s = self.settings
        if s.baseline_policy == 'window':
            self.full = in_window(s.window, now_epoch())
            if self.full:
                logger.info('hotpatch: inside the maintenance window (%s): full upgrade, '
                            'nothing held back', s.maintenance_window)
            else:
                logger.info('hotpatch: outside the maintenance window (%s): '
                            'updates that need a reboot are held back', s.maintenance_window)

    def before_upgrade(self):
        """Mark the hotpatches and hide the held-back updates from the sack,
        before dnf's own upgrade marks the rest; print the holds and what
        goes live (before dnf's prompt: a dry run shows the plan)."""
        self.plan()
        self._mark()
        self._report_held()
        self._report_plan()

    def plan(self):
        """Run check and compute the holds (self.held) and the sack
        excludes; marks nothing.  `dnf hotpatch list` uses it alone."""
        base = self.base
        sack = base.sack
        # updateinfo only when updates may be held back (outside the window).
        # The command runs while the sack work that does not need its
        # answer is done here (the first sack query alone builds hawkey's
        # caches: ~10 ms at 60,000 packages; the name globs ~3 ms each).
        pending = self.runner.start_check(updateinfo=not self.full)
        try:
            avail = sack.query().available()
            installed = sack.query().installed()
            inst_comps = _installed_components(installed)
            globbed = [] if self.full else self._glob_reboot_requiring(avail)
        except BaseException:
            pending.abort()
            raise
        self.check = pending.result()
        self.runner.note_skipped(getattr(self, 'enabled', {}))
        keep = set((a['package'], a['evr'], a['arch'])
                   for a in (self.check or {}).get('available', []))
        hotpatches = self._hotpatch_packages(avail, inst_comps)
        # Which hotpatch fits the running build is the hotpatch command's
        # decision only: every other hotpatch package (an rpm-newer one for
        # another build, say) is hidden from dnf's upgrade.  Query algebra,
        # not a Python loop over the (thousands of) hotpatch packages.
        kept = []
        for name, evr, arch in keep:
            kept += [p for p in hotpatches.filter(name=name, evr=evr, arch=arch)
                     if p.evr == evr]
        excl = hotpatches
        if kept:
            excl = hotpatches.difference(sack.query().filterm(pkg=kept))
        if not self.full:
            excl = excl.union(self._hold(avail, hotpatches, globbed))
        self.excl = excl
        self.keep = keep
        self.installed = installed

    def _mark(self):
        base = self.base
        if self.excl:
            base.sack.add_excludes(self.excl)
        for name, evr, arch in sorted(self.keep):
            nevra = '%s-%s.%s' % (name, evr, arch)
            if self.installed.filter(name=name, evr=evr, arch=arch):
                continue
            try:
                base.install(nevra, strict=True)
            except dnf.exceptions.MarkingError:
                # dnf's selection rules win: --exclude, excludepkgs=,
                # versionlock hide it from dnf, not from the metadata.
                hidden = base.sack.query(flags=hawkey.IGNORE_EXCLUDES).available()
                if hidden.filter(name=name, evr=evr, arch=arch):
                    logger.warning('hotpatch: %s is excluded (--exclude, excludepkgs or '
                                   'versionlock): skipped', nevra)
                    continue
                raise dnf.exceptions.Error(
                    'hotpatch: %s is listed in the hotpatch metadata but no enabled '
                    'repository has it' % nevra)
            self.marked.append(nevra)
            logger.info('hotpatch: %s marked for install', nevra)

    def _hotpatch_packages(self, avail, inst_comps):
        """The available packages that provide hotpatch(<component>)
        (check_components), found through the provides index: a glob over
        every provide of every available package (hotpatch(*)) costs 0.4 s
        at 60,000 packages."""
        comps = check_components(self.check, inst_comps)
        if not comps:
            return avail.filter(empty=True)
        return avail.filter(provides=['hotpatch(%s)' % c for c in sorted(comps)])

    def _glob_reboot_requiring(self, avail):
        """[(what, set of the available names it holds)] of reboot_rules,
        asked from the sack (hawkey)."""
        out = []
        for why, globs, names, provides in reboot_rules(
                self.settings.reboot_requiring, needs_restarting_names(self.base),
                self.base.conf.installonlypkgs):
            found = set()
            for pat in globs:
                found |= _names_matching(avail, pat)
            for key, values in (('name', names), ('provides', provides)):
                if values:
                    found.update(p.name for p in avail.filter(**{key: values}))
            out.append((why, found))
        return out

    def _hold(self, avail, hotpatches, globbed):
        """Returns the query of the available packages to hide because
        updating to them needs a reboot, and records the updates so held
        back (Holds decides why).  No name of a hotpatch package is held."""
        sack = self.base.sack
        holds = Holds(self.check)
        # Which of the candidate names are names of hotpatch packages: one
        # name filter on the hotpatch query, not a walk over all of it.
        cands = holds.candidates(globbed)
        hotpatch_names = set()
        if cands:
            hotpatch_names = set(p.name for p in hotpatches.filter(name=sorted(cands)))
        reasons = holds.by_name(globbed, hotpatch_names)
        excl = avail.filter(name=sorted(reasons)) if reasons else avail.filter(empty=True)
        # Per advisory, a filter on the few packages of its names, not on
        # the whole available set (0.15 ms each at 60,000 packages).
        advised = holds.advised(hotpatch_names)
        adv_avail = avail.filter(name=sorted(set(k[0] for k, a in advised))) if advised else None
        adv_pkgs = []
        for (name, evr, arch), adv in advised:
            if name in reasons:
                continue        # an earlier advisory of the same name
            q = adv_avail.filter(name=name, evr=evr, arch=arch)
            if q:
                adv_pkgs += list(q)
                holds.advise(name, adv)
        if adv_pkgs:
            excl = excl.union(sack.query().filterm(pkg=adv_pkgs))
        updates = []
        if reasons:
            updates = [(p.name, p.evr) for p in
                       avail.filter(name=sorted(reasons)).upgrades().intersection(excl)]
        self.held = holds.held(updates, sack.evr_cmp)
        return excl

    def after_transaction(self):
        dry = dry_run(self.base)
        try:
            if dry:
                logger.info('hotpatch: %s: nothing is made live (dry run)%s', dry,
                            self.runner.would_go_live(self.marked))
            elif not root_is_live(self.base):
                logger.info('hotpatch: %s is not the running system: its hotpatches go live '
                            'when it runs (hotpatch reapply at its boot); no engine is called',
                            self.base.conf.installroot)
            else:
                # Counted over the installed packages' own provides, not with a
                # provides glob (0.4 s at 60,000 packages, see _installed_components).
                n = sum(1 for p in self.base.sack.query().installed() if _is_hotpatch(p))
                self.runner.apply_all(n + len(self.check['available'] if self.check else []))
        finally:
            error = refused_error(self.runner.refused)
            if error is not None:
                raise error
        if self.full and self.settings.reboot == 'when-needed' and not dry and \
                root_is_live(self.base):
            self.runner.maybe_reboot()

    def _report_plan(self):
        if not self.marked:
            return
        if root_is_live(self.base):
            logger.info('hotpatch: to be made live after the transaction: %s',
                        ', '.join(self.marked))
        else:
            logger.info('hotpatch: installed into %s only; live when that system runs: %s',
                        self.base.conf.installroot, ', '.join(self.marked))

    def _report_held(self):
        for name in sorted(self.held):
            evr, baseline, reason = self.held[name]
            logger.info('Held back until baseline %s: %s-%s (%s)',
                        baseline or '(next)', name, evr, reason)


class HotpatchCommand(dnf.cli.Command):
    """`dnf hotpatch status|list|apply|revert [ARGS]`: the hotpatch command,
    run against dnf's installroot and enabled repositories."""

    aliases = ('hotpatch',)
    summary = 'show, list, apply or revert live hotpatches (runs the hotpatch command)'
    settings_parser = None

    # subcommand -> (hotpatch command word, needs repos, needs root)
    SUBCOMMANDS = {
        'status': ('status', True, False),
        'list': ('check', True, False),
        'apply': ('apply', True, True),
        'revert': ('revert', False, True),
    }

    @staticmethod
    def set_argparser(parser):
        parser.add_argument('subcommand', choices=sorted(HotpatchCommand.SUBCOMMANDS),
                            help='status | list (hotpatches available) | apply | revert')
        # Declared here: dnf's main parser takes abbreviations, and would
        # read a bare --all as --allowerasing.
        parser.add_argument('--all', dest='hp_all', action='store_true', default=False,
                            help='apply / revert: every hotpatch')
        parser.add_argument('--json', dest='hp_json', action='store_true', default=False,
                            help='print one JSON object')
        parser.add_argument('hp_args', nargs=argparse.REMAINDER, metavar='ARGS',
                            help='passed to the hotpatch command (e.g. PKG...)')

    def configure(self):
        self.settings = Settings(self.settings_parser)
        word, repos, root = self.SUBCOMMANDS[self.opts.subcommand]
        demands = self.cli.demands
        if repos:
            demands.sack_activation = True
            demands.available_repos = True
            add_hotpatch_metadata(self.base)
        demands.root_user = root

    def run(self):
        runner = Runner(self.base, self.settings)
        word, repos, root = self.SUBCOMMANDS[self.opts.subcommand]
        groups = runner.repo_groups() if repos else []
        if repos and not groups and word == 'check':
            logger.info('No enabled repository has hotpatch metadata.')
            self._holds()
            return
        extra = (['--all'] if self.opts.hp_all else []) + \
            (['--json'] if self.opts.hp_json else []) + self.opts.hp_args
        timeout = self.settings.apply_timeout * 4 + 60 if root else None
        worst, available = runner.passthrough(word, groups, extra, timeout)
        if available:
            self.cli.demands.success_exit_status = HP_EXIT_AVAILABLE
        if word == 'check':
            self._holds()
        if worst != HP_EXIT_OK:
            raise dnf.exceptions.Error('hotpatch %s failed (exit status %d)' % (word, worst))

    def _holds(self):
        """The holds `dnf upgrade --hotpatch` would make, printed as it
        prints them (not with --json: one JSON object on stdout)."""
        if not self.opts.hp_json:
            hp = HotpatchUpgrade(self.base, self.settings)
            hp.plan()
            hp._report_held()


def _nevra(pkg):
    """The NEVRA as the hotpatch command prints it (epoch only when set)."""
    epoch = '%s:' % pkg.epoch if pkg.epoch else ''
    return '%s-%s%s-%s.%s' % (pkg.name, epoch, pkg.version, pkg.release, pkg.arch)


def _is_hotpatch(pkg):
    return any(str(p).startswith('hotpatch(') for p in pkg.provides)


def revert_removed(base, settings):
    """After a transaction: the hotpatch packages it erased (not upgraded:
    no package of the same name came in) that are still live are orphans
    now; revert them by their live name, as `status` lists them. Inert
    (no subprocess) unless a removed package provides hotpatch(...)."""
    incoming = set(p.name for p in base.transaction.install_set)
    removed = set(_nevra(p) for p in base.transaction.remove_set
                  if p.name not in incoming and _is_hotpatch(p))
    if removed:
        Runner(base, settings).revert_orphans(removed)


def _is_dnf_automatic(cli):
    """dnf-automatic builds a Cli only for its configuration and runs no
    command: base.upgrade_all(), resolve(), do_transaction()."""
    return (cli is not None and getattr(cli, 'command', None) is None
            and 'dnf.automatic.main' in sys.modules)


def _extend_cli(cli):
    """The one place the plugin reaches into dnf's cli: its upgrade command
    gains --hotpatch, `dnf hotpatch` is registered.  Guarded: on another
    dnf whose cli differs, plain dnf keeps working and only the plugin's
    commands are missing.  Returns the command classes added (their
    settings_parser is set in the config() hook)."""
    try:
        upgrade = type(str('HotpatchUpgradeCommand'), (HotpatchUpgradeCommand,), {})
        hpcmd = type(str('HotpatchCommand'), (HotpatchCommand,), {})
        # register_command() refuses the aliases dnf already owns: replace
        # the upgrade command in the cli's table instead (not
        # upgrade-minimal, a subclass with aliases of its own), and only
        # where no other plugin replaced it already.
        for alias in UpgradeCommand.aliases:
            if cli.cli_commands.get(alias) is UpgradeCommand:
                cli.cli_commands[alias] = upgrade
        cli.register_command(hpcmd)
        return (upgrade, hpcmd)
    except Exception as e:  # never break plain dnf (another dnf version...)
        logger.warning('hotpatch plugin: cannot add its commands to dnf: %s', e)
        return ()


class Hotpatch(dnf.Plugin):
    name = 'hotpatch'
    auto = None     # HotpatchUpgrade of a dnf-automatic run (automatic = yes)
    parser = None   # hotpatch.conf, read by config()

    def __init__(self, base, cli):
        super(Hotpatch, self).__init__(base, cli)
        self.commands = ()
        # commands must exist before dnf parses the command line, which
        # is before the config() hook
        if cli is not None and not _is_dnf_automatic(cli):
            self.commands = _extend_cli(cli)

    def config(self):
        # Read here, once: validated lazily (Settings) only when --hotpatch
        # or `dnf hotpatch` is used, so a broken file never breaks plain dnf.
        self.parser = parser = self.read_config(self.base.conf)
        for command in self.commands:
            command.settings_parser = parser
        # dnf-automatic: before fill_sack, so the hotpatch metadata is
        # downloaded with the rest.  Plain dnf-automatic when automatic = no.
        if not _is_dnf_automatic(self.cli):
            return
        if automatic_off(parser):
            return
        self.auto = HotpatchUpgrade(self.base, Settings(parser))
        self.auto.configure()

    def sack(self):
        # before dnf-automatic's upgrade_all(): its upgrade then skips the
        # held updates, and the hotpatches are marked, as with --hotpatch
        if self.auto is not None:
            self.auto.before_upgrade()

    def transaction(self):
        if self.auto is not None:
            self.auto.after_transaction()
            return
        # A removed live hotpatch must not stay live unknown to rpm.
        try:
            if not any(_is_hotpatch(p) for p in self.base.transaction.remove_set):
                return
            if not root_is_live(self.base):
                return      # an image's engine state is not this machine's
            revert_removed(self.base, Settings(self.parser or self.read_config(self.base.conf)))
        except dnf.exceptions.Error as e:
            logger.error('hotpatch: %s', e)
