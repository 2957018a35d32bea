# hotpatch.py - dnf 4 plugin for dnf-hotpatch.
#
#   dnf upgrade --hotpatch [-y]              (also: update, up, ...)
#   dnf hotpatch status|list|apply|revert [ARGS]
#
# A thin shim: resolution ("which hotpatch matches what is running, which
# updates need a reboot") and live apply are done by the `hotpatch` command
# (C), run with --json; this file only turns its answer into dnf's own
# transaction (so dnf's gpgcheck, progress, history and plugins apply) and
# runs `hotpatch apply --all` afterwards.  See docs/dnf-plugin.md.
#
# Without --hotpatch and outside `dnf hotpatch`, the plugin does nothing: the
# upgrade command it installs is dnf's own with one more option.

from __future__ import absolute_import
from __future__ import unicode_literals

import argparse
import json
import logging
import os
import shlex
import shutil
import subprocess
import time

import dnf
import dnf.cli
import dnf.exceptions
from dnf.cli.commands.upgrade import UpgradeCommand

logger = logging.getLogger('dnf.plugin.hotpatch')

# Exit codes of the hotpatch command (DESIGN.md).
HP_EXIT_OK = 0
HP_EXIT_ERROR = 1
HP_EXIT_USAGE = 2
HP_EXIT_AVAILABLE = 100
COMMAND_WORDS = ('check', 'status', 'apply', 'revert', 'reapply', 'needs-reboot')

DEFAULTS = {
    'reboot_requiring': 'kernel* glibc systemd dbus* linux-firmware microcode_ctl',
    'hotpatch_command': '/usr/bin/hotpatch',
    'apply_timeout': '60',
    'check_timeout': '300',
    'baseline_policy': 'hold',
    'maintenance_window': '',
    'reboot': 'never',
    # dnf-automatic's default, so admins meet no surprise.
    'reboot_command': "shutdown -r +5 'Rebooting after applying package updates'",
}

DAYS = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
WEEK_MIN = 7 * 24 * 60


class Settings(object):
    """The [main] section of hotpatch.conf, validated.  Built lazily, only
    when --hotpatch or `dnf hotpatch` is used, so that a broken config never
    breaks plain dnf commands."""

    def __init__(self, parser):
        def get(key):
            if parser.has_section('main') and parser.has_option('main', key):
                return parser.getValue('main', key).strip()
            return DEFAULTS[key]

        self.reboot_requiring = get('reboot_requiring').replace(',', ' ').split()
        self.hotpatch_command = get('hotpatch_command')
        self.apply_timeout = _positive_int('apply_timeout', get('apply_timeout'))
        self.check_timeout = _positive_int('check_timeout', get('check_timeout'))
        self.baseline_policy = get('baseline_policy')
        if self.baseline_policy not in ('hold', 'window'):
            raise dnf.exceptions.ConfigError(
                "hotpatch.conf: baseline_policy must be 'hold' or 'window', not '%s'"
                % self.baseline_policy)
        self.maintenance_window = get('maintenance_window').strip('"\'')
        self.window = None
        if self.maintenance_window:
            self.window = parse_window(self.maintenance_window)
        if self.baseline_policy == 'window' and self.window is None:
            raise dnf.exceptions.ConfigError(
                'hotpatch.conf: baseline_policy=window needs maintenance_window')
        self.reboot = get('reboot')
        if self.reboot not in ('never', 'when-needed'):
            raise dnf.exceptions.ConfigError(
                "hotpatch.conf: reboot must be 'never' or 'when-needed', not '%s'"
                % self.reboot)
        self.reboot_command = get('reboot_command')


def _positive_int(key, value):
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n <= 0:
        raise dnf.exceptions.ConfigError(
            "hotpatch.conf: %s must be a positive number of seconds, not '%s'" % (key, value))
    return n


def parse_window(text):
    """Parse "[DAYS] HH:MM-HH:MM" (DAYS: "Sun", "Sat,Sun", "Mon-Fri"; none =
    every day).  Returns (days, start_minute, duration_minutes); a window whose
    end is not after its start runs past midnight."""
    parts = text.split()
    if len(parts) == 1:
        days_txt, times = None, parts[0]
    elif len(parts) == 2:
        days_txt, times = parts
    else:
        raise _window_error(text)
    days = set()
    if days_txt is None:
        days = set(range(7))
    else:
        for item in days_txt.lower().split(','):
            ends = item.split('-')
            if len(ends) > 2 or any(e[:3] not in DAYS or len(e) < 3 for e in ends):
                raise _window_error(text)
            first = DAYS.index(ends[0][:3])
            last = DAYS.index(ends[-1][:3])
            d = first
            while True:
                days.add(d)
                if d == last:
                    break
                d = (d + 1) % 7
    try:
        start_txt, end_txt = times.split('-')
        start = _minutes(start_txt)
        end = _minutes(end_txt)
    except ValueError:
        raise _window_error(text)
    duration = end - start
    if duration <= 0:
        duration += 24 * 60
    return (sorted(days), start, duration)


def _minutes(hhmm):
    h, m = hhmm.split(':')
    h, m = int(h), int(m)
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError(hhmm)
    return h * 60 + m


def _window_error(text):
    return dnf.exceptions.ConfigError(
        "hotpatch.conf: maintenance_window '%s' is not \"[Mon-Fri|Sat,Sun] HH:MM-HH:MM\"" % text)


def now_epoch():
    """The current time; HP_NOW (epoch seconds) overrides it for tests."""
    env = os.environ.get('HP_NOW')
    if env:
        try:
            return float(env)
        except ValueError:
            raise dnf.exceptions.Error("HP_NOW='%s' is not a number of seconds" % env)
    return time.time()


def in_window(window, epoch):
    """True when the local time `epoch` falls in the window (days, start,
    duration), including a window that started the day before."""
    days, start, duration = window
    tm = time.localtime(epoch)
    now = tm.tm_wday * 24 * 60 + tm.tm_hour * 60 + tm.tm_min
    for d in days:
        begin = d * 24 * 60 + start
        for t in (now, now + WEEK_MIN):
            if begin <= t < begin + duration:
                return True
    return False


def _file_url_path(url):
    if url.startswith('file://'):
        return url[len('file://'):]
    if url.startswith('/'):
        return url
    return None


def _stop(proc):
    """SIGTERM to the command only (it reverses a stalled apply itself),
    SIGKILL if it has not ended 15 s later."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Runner(object):
    """Runs the hotpatch command for one dnf Base."""

    def __init__(self, base, settings):
        self.base = base
        self.settings = settings

    def executable(self):
        cmd = self.settings.hotpatch_command
        path = cmd if os.path.isabs(cmd) else shutil.which(cmd)
        if not path or not os.access(path, os.X_OK):
            raise dnf.exceptions.Error(
                "hotpatch: cannot run '%s' (hotpatch_command in hotpatch.conf): not an executable"
                % cmd)
        return path

    def root_args(self):
        root = self.base.conf.installroot
        if root and os.path.realpath(root) != '/':
            return ['--root', root]
        return []

    def hotpatch_repos(self, updateinfo=False):
        """Enabled repos whose `hotpatch` metadata dnf downloaded (with
        updateinfo=True also those with only `updateinfo`: their
        reboot_suggested advisories count too).  Passed to the command as
        their local cache directory: the snapshot dnf verified and resolves
        against, so both sides see the same revision."""
        types = ('hotpatch', 'updateinfo') if updateinfo else ('hotpatch',)
        repos = []
        for repo in sorted(self.base.repos.iter_enabled(), key=lambda r: r.id):
            for mdtype in types:
                try:
                    path = repo.get_metadata_path(mdtype)
                except Exception:
                    path = ''
                if path and os.path.isfile(path):
                    repos.append((repo, os.path.dirname(os.path.dirname(path))))
                    break
        return repos

    def repo_groups(self, updateinfo=False):
        """[(args, [repo ids])]: one group, so one command run: repos with
        repo_gpgcheck on are passed with --repo and verified with their
        keys, those with it off with --repo-nogpgcheck (read unsigned, as
        dnf reads them); [] when no repo has the metadata."""
        args, ids = [], []
        for repo, path in self.hotpatch_repos(updateinfo):
            if repo.repo_gpgcheck:
                args += ['--repo', path]
                for key in repo.gpgkey:
                    kpath = _file_url_path(key)
                    if kpath is None:
                        logger.warning('hotpatch: repo %s: gpgkey %s is not a local file, '
                                       'not passed to the hotpatch command', repo.id, key)
                    elif kpath not in args:
                        args += ['--gpgkey', kpath]
            else:
                args += ['--repo-nogpgcheck', path]
            ids.append(repo.id)
        return [(args, ids)] if ids else []

    def run(self, args, capture=True, timeout=None):
        """Run the command; returns (exit code, stdout, stderr).  On timeout
        the command is terminated (it reverses its own stuck work on SIGTERM)
        and an error raised."""
        return self.wait(self.start(args, capture), args, timeout)

    def start(self, args, capture=True):
        """Start the command; wait() collects it."""
        argv = [self.executable()] + args
        logger.debug('hotpatch: running %s', ' '.join(shlex.quote(a) for a in argv))
        pipe = subprocess.PIPE if capture else None
        try:
            return subprocess.Popen(argv, stdout=pipe, stderr=pipe, universal_newlines=True)
        except OSError as e:
            raise dnf.exceptions.Error("hotpatch: cannot run '%s': %s" % (argv[0], e.strerror))

    def wait(self, proc, args, timeout=None):
        """(exit code, stdout, stderr) of a start()ed command; `timeout`
        counts from this call."""
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # never wait on pipes a leftover helper may still hold.
            _stop(proc)
            try:
                proc.communicate(timeout=2)
            except subprocess.TimeoutExpired:
                for f in (proc.stdout, proc.stderr):
                    if f:
                        f.close()
            words = [a for a in args if a in COMMAND_WORDS]
            raise dnf.exceptions.Error('hotpatch %s did not finish within %d s, stopped'
                                       % (words[0] if words else '', timeout))
        return proc.returncode, out or '', err or ''

    def check(self, updateinfo=False):
        """Merged `hotpatch check --json` over the repos with hotpatch
        metadata, or None when no enabled repo has any.  With updateinfo,
        `check --updateinfo` over those with updateinfo too: the command
        reads it (libsolv, checksum from the verified repomd.xml) and lists
        the packages of reboot_suggested advisories in "reboot_suggested"
        (hawkey does not expose the flag)."""
        return self.start_check(updateinfo).result()

    def start_check(self, updateinfo=False):
        """check() in two steps: the first `hotpatch check` starts now, so
        that the caller can do work of its own meanwhile; result() waits for
        it and runs the others (if any) one after the other."""
        return PendingCheck(self, updateinfo)


class PendingCheck(object):
    """A Runner.check() under way (see Runner.start_check)."""

    def __init__(self, runner, updateinfo):
        self.runner = runner
        extra = ['--updateinfo'] if updateinfo else []
        self.todo = [(runner.root_args() + args + ['check', '--json'] + extra, ids)
                     for args, ids in runner.repo_groups(updateinfo)]
        self.proc = None
        if self.todo:
            self.proc = runner.start(self.todo[0][0])

    def abort(self):
        """Stop the started command: the caller failed meanwhile.  SIGTERM,
        as on a timeout (the command cleans up after itself)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        _stop(proc)
        for f in (proc.stdout, proc.stderr):
            if f:
                f.close()

    def result(self):
        runner = self.runner
        merged = None
        for i, (args, ids) in enumerate(self.todo):
            proc = self.proc if i == 0 else runner.start(args)
            self.proc = None
            rc, out, err = runner.wait(proc, args, timeout=runner.settings.check_timeout)
            if rc not in (HP_EXIT_OK, HP_EXIT_AVAILABLE):
                raise dnf.exceptions.Error('hotpatch check failed for repo %s: %s'
                                           % (', '.join(ids), _last_line(err, rc)))
            try:
                res = json.loads(out)
            except ValueError as e:
                raise dnf.exceptions.Error('hotpatch check: output is not JSON: %s' % e)
            merged = _merge_check(merged, res)
        return merged


def _last_line(err, rc):
    lines = [l for l in err.splitlines() if l.strip()]
    return lines[-1] if lines else 'exit status %d' % rc


def _merge_check(acc, res):
    if acc is None:
        acc = {'running': [], 'baseline': None, 'available': [], 'held_back': [],
               'reboot_suggested': []}
    for item in res.get('running') or []:
        if item not in acc['running']:
            acc['running'].append(item)
    if acc['baseline'] is None:
        acc['baseline'] = res.get('baseline')
    seen = set((a.get('package'), a.get('evr'), a.get('arch')) for a in acc['available'])
    for a in res.get('available') or []:
        key = (a.get('package'), a.get('evr'), a.get('arch'))
        if key not in seen:
            seen.add(key)
            acc['available'].append(a)
    names = set(h.get('name') for h in acc['held_back'])
    for h in res.get('held_back') or []:
        if h.get('name') not in names:
            names.add(h.get('name'))
            acc['held_back'].append(h)
    nevras = set((r.get('name'), r.get('evr'), r.get('arch')) for r in acc['reboot_suggested'])
    for r in res.get('reboot_suggested') or []:
        key = (r.get('name'), r.get('evr'), r.get('arch'))
        if key not in nevras:
            nevras.add(key)
            acc['reboot_suggested'].append(r)
    return acc


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
    comps = set()
    for p in installed:
        for prov in p.provides:
            text = str(prov)
            if text.startswith('hotpatch(') and ')' in text:
                comps.add(text[len('hotpatch('):text.index(')')])
    return comps


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

    def configure(self):
        self.runner.executable()    # fail before any download when missing
        add_hotpatch_metadata(self.base)
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
        before dnf's own upgrade marks the rest."""
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
        keep = set()
        if self.check is not None:
            for a in self.check['available']:
                keep.add((a['package'], a['evr'], a['arch']))
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
        if excl:
            sack.add_excludes(excl)
        for name, evr, arch in sorted(keep):
            nevra = '%s-%s.%s' % (name, evr, arch)
            if installed.filter(name=name, evr=evr, arch=arch):
                continue
            try:
                base.install(nevra, strict=True)
            except dnf.exceptions.MarkingError:
                raise dnf.exceptions.Error(
                    'hotpatch: %s is listed in the hotpatch metadata but no enabled '
                    'repository has it' % nevra)
            logger.info('hotpatch: %s marked for install', nevra)

    def _hotpatch_packages(self, avail, inst_comps):
        """The available packages that provide hotpatch(<component>), found
        through the provides index: a glob over every provide of every
        available package (hotpatch(*)) costs 0.4 s at 60,000 packages. The
        components are those the hotpatch metadata names (check's answer) and
        those of the installed hotpatches (inst_comps)."""
        comps = set(inst_comps)
        for key in ('running', 'held_back'):
            for r in (self.check or {}).get(key) or []:
                comps.add(r['name'])
        for key in ('available', 'installed'):
            for r in (self.check or {}).get(key) or []:
                if r.get('component'):
                    comps.add(r['component'])
        if not comps:
            return avail.filter(empty=True)
        return avail.filter(provides=['hotpatch(%s)' % c for c in sorted(comps)])

    def _glob_reboot_requiring(self, avail):
        """[(pattern, set of the available names it matches)] for
        reboot_requiring, in its order.  The globs run in C on the sack
        (hawkey), not in Python over every available package name."""
        return [(pat, _names_matching(avail, pat)) for pat in self.settings.reboot_requiring]

    def _hold(self, avail, hotpatches, globbed):
        """Returns the query of the available packages to hide because
        updating to them needs a reboot, and records the updates so held
        back.  No name of a hotpatch package is held."""
        sack = self.base.sack
        check_held = {}
        if self.check is not None:
            for h in self.check['held_back']:
                check_held[h['name']] = h
        advisories = {}
        for r in (self.check or {}).get('reboot_suggested') or []:
            advisories.setdefault((r['name'], r['evr'], r['arch']), r['advisory'])
        # Which of the candidate names are names of hotpatch packages: one
        # name filter on the hotpatch query, not a walk over all of it.
        cands = set(check_held)
        for pat, names in globbed:
            cands.update(names)
        cands.update(name for name, evr, arch in advisories)
        hotpatch_names = set()
        if cands:
            hotpatch_names = set(p.name for p in hotpatches.filter(name=sorted(cands)))
        reasons = {}
        for pat, names in globbed:
            for name in names:
                if name not in hotpatch_names and name not in reasons:
                    reasons[name] = (None, "needs a reboot: matches '%s' in reboot_requiring" % pat)
        for name, h in check_held.items():
            if name not in hotpatch_names:
                reasons[name] = (h.get('baseline'), h.get('reason') or 'baseline component')
        excl = avail.filter(name=sorted(reasons)) if reasons else avail.filter(empty=True)
        # Per advisory, a filter on the few packages of its names, not on
        # the whole available set (0.15 ms each at 60,000 packages).
        adv_names = set(name for name, evr, arch in advisories
                        if name not in hotpatch_names and name not in reasons)
        adv_avail = avail.filter(name=sorted(adv_names)) if adv_names else None
        adv_pkgs = []
        for (name, evr, arch), adv in sorted(advisories.items()):
            if name in hotpatch_names or name in reasons:
                continue
            q = adv_avail.filter(name=name, evr=evr, arch=arch)
            if q:
                adv_pkgs += list(q)
                reasons[name] = (None, 'advisory %s suggests a reboot' % adv)
        if adv_pkgs:
            excl = excl.union(sack.query().filterm(pkg=adv_pkgs))
        if reasons:
            for p in avail.filter(name=sorted(reasons)).upgrades().intersection(excl):
                cur = self.held.get(p.name)
                if cur is None or sack.evr_cmp(p.evr, cur[0]) > 0:
                    self.held[p.name] = (p.evr,) + reasons[p.name]
        for name, h in check_held.items():
            if name not in self.held:
                self.held[name] = (h.get('evr'), h.get('baseline'),
                                   h.get('reason') or 'baseline component')
        return excl

    def after_transaction(self):
        try:
            self._apply()
        finally:
            self._report_held()
        if self.full and self.settings.reboot == 'when-needed':
            self._maybe_reboot()

    def _apply(self):
        # --repo: payloads are checked against the published (signed)
        # checksums, not only the rpmdb's digests.
        groups = self.runner.repo_groups()
        repo_args = groups[0][0] if groups else []
        # Counted over the installed packages' own provides, not with a
        # provides glob (0.4 s at 60,000 packages, see _installed_components).
        n = sum(1 for p in self.base.sack.query().installed() if _is_hotpatch(p))
        timeout = self.settings.apply_timeout
        # --timeout bounds each engine transition; the process as a whole
        # also waits for the lock (30 s) and may apply several patches.
        backstop = timeout * max(1, n + len(self.check['available'] if self.check else [])) + 60
        rc, out, err = self.runner.run(self.runner.root_args() + repo_args +
                                       ['apply', '--all', '--timeout', str(timeout)],
                                       timeout=backstop)
        for line in out.splitlines():
            logger.info('%s', line)
        if rc != HP_EXIT_OK:
            for line in err.splitlines():
                logger.error('%s', line)
            raise dnf.exceptions.Error('hotpatch apply --all failed (exit status %d); '
                                       'see `dnf hotpatch status`' % rc)
        # Whether a fix is live is the engine's to say (apply's own
        # output, `dnf hotpatch status`), never assumed here.
        for line in err.splitlines():
            logger.warning('%s', line)

    def _report_held(self):
        if not self.held:
            return
        for name in sorted(self.held):
            evr, baseline, reason = self.held[name]
            logger.info('Held back until baseline %s: %s-%s (%s)',
                        baseline or '(next)', name, evr, reason)

    def _maybe_reboot(self):
        rc, out, err = self.runner.run(self.runner.root_args() + ['needs-reboot'],
                                       timeout=self.settings.check_timeout)
        for line in (out + err).splitlines():
            logger.info('%s', line)
        if rc == 0:
            logger.info('hotpatch: no reboot needed')
            return
        if rc != 1:
            raise dnf.exceptions.Error('hotpatch needs-reboot failed (exit status %d)' % rc)
        logger.info('hotpatch: reboot needed, running: %s', self.settings.reboot_command)
        ret = subprocess.call(self.settings.reboot_command, shell=True)
        if ret != 0:
            raise dnf.exceptions.Error("hotpatch: reboot command '%s' failed (exit status %d)"
                                       % (self.settings.reboot_command, ret))


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
        groups = [([], [])]
        if repos:
            groups = runner.repo_groups()
            if not groups:
                if word == 'check':
                    logger.info('No enabled repository has hotpatch metadata.')
                    return
                groups = [([], [])]
        if word == 'apply':
            groups = groups[:1]     # signed repos first; one apply only
        timeout = self.settings.apply_timeout * 4 + 60 if root else None
        worst = HP_EXIT_OK
        for group_args, ids in groups:
            if len(groups) > 1:
                # signed and unsigned repos are checked apart (--nogpgcheck
                # is global in the hotpatch command)
                logger.info('hotpatch %s: repositories %s', word, ', '.join(ids))
            args = runner.root_args() + group_args + [word]
            args += ['--all'] if self.opts.hp_all else []
            args += ['--json'] if self.opts.hp_json else []
            args += self.opts.hp_args
            rc, _, _ = runner.run(args, capture=False, timeout=timeout)
            if rc == HP_EXIT_AVAILABLE and word == 'check':
                self.cli.demands.success_exit_status = HP_EXIT_AVAILABLE
            elif rc != HP_EXIT_OK:
                worst = rc
        if worst != HP_EXIT_OK:
            raise dnf.exceptions.Error('hotpatch %s failed (exit status %d)' % (word, worst))


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
    if not removed:
        return
    runner = Runner(base, settings)
    rc, out, err = runner.run(runner.root_args() + ['--json', 'status'],
                              timeout=settings.check_timeout)
    try:
        orphans = json.loads(out).get('orphans') or []
    except ValueError:
        logger.error('hotpatch: cannot read `hotpatch status --json` (exit status %d): %s',
                     rc, _last_line(err, rc))
        return
    for o in orphans:
        if o.get('package') not in removed:
            continue
        logger.info('hotpatch: %s was removed while live (%s %s): reverting it',
                    o['package'], o['engine'], o['live_name'])
        rc, out, err = runner.run(runner.root_args() + ['revert', o['live_name']],
                                  timeout=settings.apply_timeout + 60)
        for line in out.splitlines():
            logger.info('%s', line)
        if rc != HP_EXIT_OK:
            for line in err.splitlines():
                logger.error('%s', line)
            logger.error('hotpatch: revert of %s failed (exit status %d); it stays live '
                         'until reverted (`hotpatch revert --all`) or a reboot',
                         o['live_name'], rc)


class Hotpatch(dnf.Plugin):
    name = 'hotpatch'

    def transaction(self):
        # A removed live hotpatch must not stay live unknown to rpm.
        try:
            if not any(_is_hotpatch(p) for p in self.base.transaction.remove_set):
                return
            settings = Settings(self.read_config(self.base.conf))
            revert_removed(self.base, settings)
        except dnf.exceptions.Error as e:
            logger.error('hotpatch: %s', e)

    def __init__(self, base, cli):
        super(Hotpatch, self).__init__(base, cli)
        if cli is None:
            return
        parser = self.read_config(base.conf)
        attrs = {'settings_parser': parser}
        try:
            upgrade = type(str('HotpatchUpgradeCommand'), (HotpatchUpgradeCommand,), attrs)
            # register_command() refuses the aliases dnf already owns:
            # replace the upgrade command in the cli's table instead (not
            # upgrade-minimal, a subclass with aliases of its own).
            for alias in UpgradeCommand.aliases:
                if cli.cli_commands.get(alias) is UpgradeCommand:
                    cli.cli_commands[alias] = upgrade
            cli.register_command(type(str('HotpatchCommand'), (HotpatchCommand,), attrs))
        except Exception as e:  # never break plain dnf (another dnf version...)
            logger.warning('hotpatch plugin: cannot add its commands to dnf: %s', e)
