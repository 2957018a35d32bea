# command.py - running the hotpatch command (C) for the dnf plugin: which
# repositories it is given and how (grouped by repo_gpgcheck), the check runs
# and their merge, refused repositories, apply, needs-reboot and orphan
# reverts.  Its answers are --json; resolution is the command's alone.

from __future__ import absolute_import
from __future__ import unicode_literals

import glob
import json
import logging
import os
import shlex
import shutil
import subprocess

import dnf.exceptions

from .config import DEFAULTS

logger = logging.getLogger('dnf.plugin.hotpatch')

# Exit codes of the hotpatch command (DESIGN.md).
HP_EXIT_OK = 0
HP_EXIT_ERROR = 1
HP_EXIT_USAGE = 2
HP_EXIT_AVAILABLE = 100
COMMAND_WORDS = ('check', 'status', 'apply', 'revert', 'reapply', 'needs-reboot')
REFUSED_PREFIX = "hotpatch: error: repository '"


def file_url_path(url):
    """The local path of a gpgkey URL, or None (not a local file)."""
    if url.startswith('file://'):
        return url[len('file://'):]
    if url.startswith('/'):
        return url
    return None


def group_args(repos):
    """The command line words of one repo group: [(repo id, cache path,
    repo_gpgcheck, gpgkey URLs)] -> (args, [repo ids]).  Repos with
    repo_gpgcheck on are passed with --repo and verified with their keys
    (each local key once), those with it off with --repo-nogpgcheck (read
    unsigned, as dnf reads them)."""
    args, ids = [], []
    for rid, path, gpgcheck, keys in repos:
        if gpgcheck:
            args += ['--repo', path]
            for key in keys:
                kpath = file_url_path(key)
                if kpath is None:
                    logger.warning('hotpatch: repo %s: gpgkey %s is not a local file, '
                                   'not passed to the hotpatch command', rid, key)
                elif kpath not in args:
                    args += ['--gpgkey', kpath]
        else:
            args += ['--repo-nogpgcheck', path]
        ids.append(rid)
    return args, ids


def merge_check(acc, res):
    """Merge one `hotpatch check --json` answer into acc (None at first):
    the first baseline wins, lists are joined without repeats (available by
    package/evr/arch, held_back by name, reboot_suggested by NEVRA)."""
    if acc is None:
        acc = {'running': [], 'baseline': None, 'available': [], 'held_back': [],
               'reboot_suggested': []}
    for item in res.get('running') or []:
        if item not in acc['running']:
            acc['running'].append(item)
    if acc['baseline'] is None:
        acc['baseline'] = res.get('baseline')
    for key, ident in (('available', ('package', 'evr', 'arch')), ('held_back', ('name',)),
                       ('reboot_suggested', ('name', 'evr', 'arch'))):
        seen = set(tuple(x.get(k) for k in ident) for x in acc[key])
        for x in res.get(key) or []:
            k = tuple(x.get(k) for k in ident)
            if k not in seen:
                seen.add(k)
                acc[key].append(x)
    return acc


def parse_refusals(rc, out, err, ids):
    """{repo id: why} of a check that exited 1 with one 'repository X
    refused: WHY' line per refused repo (and, when others verified, their
    JSON, whose "repos" entries carry "error"); {} when the failure is
    something else.  `ids` maps the paths the command was given to dnf's
    repo ids."""
    if rc != HP_EXIT_ERROR:
        return {}
    found = {}
    try:
        for r in json.loads(out).get('repos') or [] if out.strip() else []:
            if r.get('error'):
                found[ids.get(r.get('url'), r.get('id'))] = r['error']
    except (ValueError, AttributeError):
        return {}
    for line in err.splitlines():
        if line.startswith(REFUSED_PREFIX) and "' refused: " in line:
            path, why = line[len(REFUSED_PREFIX):].split("' refused: ", 1)
            found.setdefault(ids.get(path, path), why)
    return found


def refused_error(refused):
    """One error line per refused hotpatch repository and the error dnf
    exits 1 with (timers see it), or None."""
    if not refused:
        return None
    for rid in sorted(refused):
        logger.error('hotpatch: repository %s refused: %s', rid, refused[rid])
    one = len(refused) == 1
    return dnf.exceptions.Error('hotpatch: %d hotpatch repositor%s refused; %s hotpatches '
                                'were not installed' % (len(refused),
                                                        'y was' if one else 'ies were',
                                                        'its' if one else 'their'))


def last_line(err, rc):
    lines = [l for l in err.splitlines() if l.strip()]
    return lines[-1] if lines else 'exit status %d' % rc


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


def _log_lines(text, level):
    for line in text.splitlines():
        logger.log(level, '%s', line)


class Runner(object):
    """Runs the hotpatch command for one dnf Base (its conf.installroot and
    enabled repos) with the plugin's Settings."""

    def __init__(self, base, settings):
        self.base = base
        self.settings = settings
        self.refused = {}       # dnf repo id -> why its hotpatch metadata was refused

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
        # hotpatch.conf's network deadline (the command's default: not repeated).
        args = []
        if self.settings.fetch_timeout != int(DEFAULTS['fetch_timeout']):
            args = ['--fetch-timeout', str(self.settings.fetch_timeout)]
        if root and os.path.realpath(root) != '/':
            return args + ['--root', root]
        return args

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
                if path and os.path.isfile(path) and repo.id not in self.refused:
                    repos.append((repo, os.path.dirname(os.path.dirname(path))))
                    break
        return repos

    def repo_groups(self, updateinfo=False):
        """[(args, [repo ids])]: one group, so one command run (group_args);
        [] when no repo has the metadata."""
        args, ids = group_args([(repo.id, path, repo.repo_gpgcheck, repo.gpgkey)
                                for repo, path in self.hotpatch_repos(updateinfo)])
        return [(args, ids)] if ids else []

    def repo_args(self):
        """The first group's words: apply and status read one group only
        (signed repos first)."""
        groups = self.repo_groups()
        return groups[0][0] if groups else []

    def note_skipped(self, enabled):
        """Repos dnf skipped as unavailable (skip_if_unavailable): of
        `enabled` (id -> repo before the download) those no longer enabled.
        One that carried hotpatch metadata at its last download (its cache
        says so) is a refused hotpatch repo; of the others nobody can tell."""
        now = set(r.id for r in self.base.repos.iter_enabled())
        for rid, repo in sorted(enabled.items()):
            if rid in now:
                continue
            try:
                cached = glob.glob(os.path.join(repo._repo.getCachedir(), 'repodata',
                                                '*hotpatch.xml*'))
            except Exception:
                cached = []
            if cached:
                self.refused[rid] = 'unavailable (skipped by skip_if_unavailable)'
                logger.warning('hotpatch: repository %s: unavailable, skipped by dnf; its '
                               'hotpatches are skipped, the rest of the upgrade runs', rid)
            else:
                logger.warning('hotpatch: repository %s was skipped by dnf (unavailable); if it '
                               'publishes hotpatches, they are not installed', rid)

    def passthrough(self, word, groups, extra, timeout):
        """`dnf hotpatch WORD EXTRA...`: the command once per repo group
        (apply: the first only, signed repos first), its output straight to
        the terminal.  Returns (the worst failing exit status or 0, whether
        check found hotpatches)."""
        groups = groups or [([], [])]
        if word == 'apply':
            groups = groups[:1]
        worst, available = HP_EXIT_OK, False
        for group_args, ids in groups:
            if len(groups) > 1:
                # signed and unsigned repos are checked apart (--nogpgcheck
                # is global in the hotpatch command)
                logger.info('hotpatch %s: repositories %s', word, ', '.join(ids))
            rc, _, _ = self.run(self.root_args() + group_args + [word] + list(extra),
                                capture=False, timeout=timeout)
            if rc == HP_EXIT_AVAILABLE and word == 'check':
                available = True
            elif rc != HP_EXIT_OK:
                worst = rc
        return worst, available

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

    def status(self, repo_args=()):
        """(`hotpatch status --json` as a dict or None, what to say when it
        cannot be read)."""
        rc, out, err = self.run(self.root_args() + list(repo_args) + ['--json', 'status'],
                                timeout=self.settings.check_timeout)
        why = ('cannot read `hotpatch status --json` (exit status %d): %s'
               % (rc, last_line(err, rc)))
        try:
            res = json.loads(out)
        except ValueError:
            res = None
        return (res if isinstance(res, dict) else None), why

    def would_go_live(self, marked):
        """'; a real run makes live: ...' -- the hotpatches `marked` for
        install and the installed ones for a running build not live now
        (asked from `hotpatch status`, which reads the rpmdb and engines)."""
        names = list(marked)
        res, why = self.status(self.repo_args())
        try:
            for h in res.get('installed') or []:
                if h.get('for_running') and h.get('newest') and h.get('live') != 'yes':
                    names.append('%s-%s.%s' % (h['package'], h['evr'], h['arch']))
        except (AttributeError, KeyError):
            logger.warning('hotpatch: %s', why)
        if not names:
            return '; a real run makes no hotpatch live'
        return '; a real run makes live: %s' % ', '.join(sorted(set(names)))

    def apply_all(self, count):
        """`hotpatch apply --all` after the transaction; `count` hotpatches
        (installed and coming) bound the wait.  --repo: payloads are checked
        against the published (signed) checksums, not only the rpmdb's."""
        timeout = self.settings.apply_timeout
        # --timeout bounds each engine transition; the process as a whole
        # also waits for the lock (30 s) and may apply several patches.
        backstop = timeout * max(1, count) + 60
        rc, out, err = self.run(self.root_args() + self.repo_args() +
                                ['apply', '--all', '--timeout', str(timeout)], timeout=backstop)
        _log_lines(out, logging.INFO)
        if rc != HP_EXIT_OK:
            _log_lines(err, logging.ERROR)
            raise dnf.exceptions.Error('hotpatch apply --all failed (exit status %d); '
                                       'see `dnf hotpatch status`' % rc)
        # Whether a fix is live is the engine's to say (apply's own
        # output, `dnf hotpatch status`), never assumed here.
        _log_lines(err, logging.WARNING)

    def maybe_reboot(self):
        """reboot = when-needed: run reboot_command when `hotpatch
        needs-reboot` exits 1."""
        rc, out, err = self.run(self.root_args() + ['needs-reboot'],
                                timeout=self.settings.check_timeout)
        _log_lines(out + err, logging.INFO)
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

    def revert_orphans(self, removed):
        """The live hotpatches of the packages `removed` (NEVRAs, as status
        lists them) are orphans now: revert each by its live name."""
        res, why = self.status()
        if res is None:
            logger.error('hotpatch: %s', why)
            return
        for o in res.get('orphans') or []:
            if o.get('package') not in removed:
                continue
            logger.info('hotpatch: %s was removed while live (%s %s): reverting it',
                        o['package'], o['engine'], o['live_name'])
            rc, out, err = self.run(self.root_args() + ['revert', o['live_name']],
                                    timeout=self.settings.apply_timeout + 60)
            _log_lines(out, logging.INFO)
            if rc != HP_EXIT_OK:
                _log_lines(err, logging.ERROR)
                logger.error('hotpatch: revert of %s failed (exit status %d); it stays live '
                             'until reverted (`hotpatch revert --all`) or a reboot',
                             o['live_name'], rc)


class PendingCheck(object):
    """A Runner.check() under way (see Runner.start_check)."""

    def __init__(self, runner, updateinfo):
        self.runner = runner
        extra = ['--updateinfo'] if updateinfo else []
        self.todo = [(runner.root_args() + args + ['check', '--json'] + extra, ids)
                     for args, ids in runner.repo_groups(updateinfo)]
        # the command names a refused --repo by the path it was given
        self.ids = dict((path, repo.id) for repo, path in runner.hotpatch_repos(updateinfo))
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
            if rc not in (HP_EXIT_OK, HP_EXIT_AVAILABLE) and not self._refusals(rc, out, err):
                raise dnf.exceptions.Error('hotpatch check failed for repo %s: %s'
                                           % (', '.join(ids), last_line(err, rc)))
            if rc == HP_EXIT_ERROR and not out.strip():
                continue        # every repo of the group refused (recorded)
            try:
                res = json.loads(out)
            except ValueError as e:
                raise dnf.exceptions.Error('hotpatch check: output is not JSON: %s' % e)
            merged = merge_check(merged, res)
        return merged

    def _refusals(self, rc, out, err):
        """A stale hotpatch repo costs only its own hotpatches: records the
        refusals (parse_refusals) in runner.refused; False when the failure
        is something else."""
        found = parse_refusals(rc, out, err, self.ids)
        for rid, why in sorted(found.items()):
            logger.warning('hotpatch: repository %s: hotpatch metadata refused (%s); its '
                           'hotpatches are skipped, the rest of the upgrade runs', rid, why)
        self.runner.refused.update(found)
        return bool(found)
