# Unit tests of the dnf plugin's policy package (plugin/dnf/dnf_hotpatch),
# imported on its own, without the plugin: run by Debian's dnf Python,
#   /usr/bin/python3 tests/plugin/test_dnf_hotpatch.py
# (tests/integration/t4605-plugin-unit.sh runs every tests/plugin/test_*.py).
# Here: window parsing edge cases, windows across midnight, day lists and
# time zones, hotpatch.conf values, repo groups by repo_gpgcheck, merges of
# two check runs, refused repositories, what needs a reboot and why an
# update is held back; and how the plugin finds the package (source tree,
# installed layout, missing).
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock

import dnf.exceptions

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN_DIR = os.path.join(HERE, '..', '..', 'plugin', 'dnf')
sys.path.insert(0, PLUGIN_DIR)

from dnf_hotpatch import command, config, policy  # noqa: E402

sys.path.insert(0, HERE)
# hotpatch.conf's [main] as libdnf's ConfigParser answers it; epoch of a UTC time
from test_hotpatch_plugin import Parser, utc  # noqa: E402


class LocalTime(unittest.TestCase):
    """Runs each test in the time zone TZ (local time is what windows mean)."""
    TZ = 'UTC'

    def setUp(self):
        tz = mock.patch.dict(os.environ, {'TZ': self.TZ})
        tz.start()
        self.addCleanup(time.tzset)     # cleanups run last first: after tz.stop
        self.addCleanup(tz.stop)
        time.tzset()

    def inside(self, text, *when):
        return config.in_window(config.parse_window(text), utc(*when))


class TestParseWindow(unittest.TestCase):
    def test_days(self):
        p = config.parse_window
        self.assertEqual(p('Mon-Mon 01:00-02:00')[0], [0])
        self.assertEqual(p('Sun-Sat 01:00-02:00')[0], list(range(7)))     # wraps: every day
        self.assertEqual(p('Sat-Mon 01:00-02:00')[0], [0, 5, 6])
        self.assertEqual(p('Mon,Mon-Tue,tue 01:00-02:00')[0], [0, 1])     # repeats count once
        self.assertEqual(p('SAT,sunday 01:00-02:00')[0], [5, 6])
        self.assertEqual(p('  Sun   02:00-04:00 '), ([6], 120, 120))      # spaces around

    def test_times(self):
        p = config.parse_window
        self.assertEqual(p('00:00-24:00')[1:], (0, 1440))
        self.assertEqual(p('22:00-22:00')[1:], (1320, 1440))     # same end: a whole day
        self.assertEqual(p('23:59-00:00')[1:], (1439, 1))
        self.assertEqual(p('2:05-3:00')[1:], (125, 55))          # one-digit hours
        self.assertEqual(p('24:00-01:00')[1:], (1440, 60))       # 24:00 is the next midnight

    def test_bad(self):
        for bad in ('Mon-Tue-Wed 01:00-02:00', 'Mon,,Tue 01:00-02:00', 'Mon, 01:00-02:00',
                    '-01:00-02:00', '01:00-02:00-03:00', '01:00', '01:00-', 'Mon 01:00 02:00',
                    '01:-1-02:00', 'Mo 01:00-02:00', 'Sun 24:01-01:00', 'a:b-c:d', '   '):
            with self.assertRaises(dnf.exceptions.ConfigError, msg=bad) as cm:
                config.parse_window(bad)
            self.assertIn("maintenance_window '%s' is not" % bad, str(cm.exception))


class TestInWindow(LocalTime):
    # 2026-11-28 is a Saturday, 2026-11-29 a Sunday, 2026-11-30 a Monday.
    def test_across_midnight_with_days(self):
        w = 'Fri,Sun 23:00-01:00'
        self.assertTrue(self.inside(w, 2026, 11, 28, 0, 30))     # Saturday: Friday's window
        self.assertTrue(self.inside(w, 2026, 11, 30, 0, 59))     # Monday: Sunday's window
        self.assertFalse(self.inside(w, 2026, 11, 29, 0, 30))    # Sunday: no window Saturday
        self.assertFalse(self.inside(w, 2026, 11, 30, 1, 0))     # the end is outside
        self.assertTrue(self.inside(w, 2026, 11, 29, 23, 0))     # the start is inside

    def test_whole_days(self):
        self.assertTrue(self.inside('Sat 00:00-24:00', 2026, 11, 28, 23, 59))
        self.assertFalse(self.inside('Sat 00:00-24:00', 2026, 11, 29, 0, 0))
        self.assertFalse(self.inside('Sat 00:00-24:00', 2026, 11, 27, 23, 59))
        for h in (0, 11, 23):
            self.assertTrue(self.inside('22:00-22:00', 2026, 12, 2, h, 0))

    def test_week_wrap_ranges(self):
        self.assertTrue(self.inside('Sat-Mon 10:00-11:00', 2026, 11, 30, 10, 30))
        self.assertFalse(self.inside('Sat-Mon 10:00-11:00', 2026, 12, 1, 10, 30))
        # Monday 2026-11-23: the window of the Sunday before (the previous week)
        self.assertTrue(self.inside('Sun 22:00-06:00', 2026, 11, 23, 5, 59))


class TestInWindowLocal(LocalTime):
    TZ = 'CET-1'        # POSIX zone, one hour east of UTC, no tzdata needed

    def test_local_time(self):
        # 01:30 UTC on Sunday is 02:30 local: inside Sun 02:00-04:00
        self.assertTrue(self.inside('Sun 02:00-04:00', 2026, 11, 29, 1, 30))
        self.assertFalse(self.inside('Sun 02:00-04:00', 2026, 11, 29, 3, 30))
        # 23:30 UTC Saturday is 00:30 local Sunday
        self.assertTrue(self.inside('Sun 00:00-01:00', 2026, 11, 28, 23, 30))


class TestSettings(unittest.TestCase):
    def test_window_values(self):
        s = config.Settings(Parser(baseline_policy='window',
                                   maintenance_window='"Sat,Sun 01:00-03:00"'))
        self.assertEqual(s.maintenance_window, 'Sat,Sun 01:00-03:00')
        self.assertEqual(s.window, ([5, 6], 60, 120))
        self.assertIsNone(config.Settings(Parser()).window)
        s = config.Settings(Parser(apply_timeout=' 7 ', reboot='when-needed', automatic='TRUE'))
        self.assertEqual((s.apply_timeout, s.reboot, s.automatic), (7, 'when-needed', True))

    def test_messages(self):
        cases = [({'reboot': 'always'},
                  "hotpatch.conf: reboot must be 'never' or 'when-needed', not 'always'"),
                 ({'baseline_policy': 'x'},
                  "hotpatch.conf: baseline_policy must be 'hold' or 'window', not 'x'"),
                 ({'baseline_policy': 'window'},
                  'hotpatch.conf: baseline_policy=window needs maintenance_window'),
                 ({'check_timeout': '-5'}, "hotpatch.conf: check_timeout must be a positive "
                                           "number of seconds, not '-5'"),
                 ({'fetch_timeout': '1.5'}, "fetch_timeout must be a positive")]
        for kv, msg in cases:
            with self.assertRaises(dnf.exceptions.ConfigError, msg=str(kv)) as cm:
                config.Settings(Parser(**kv))
            self.assertIn(msg, str(cm.exception))

    def test_automatic_off(self):
        self.assertTrue(config.automatic_off(Parser()))
        for off in ('no', ' NO ', '0', 'false'):
            self.assertTrue(config.automatic_off(Parser(automatic=off)), off)
        for on in ('yes', '1', 'maybe'):       # 'maybe': Settings reports it
            self.assertFalse(config.automatic_off(Parser(automatic=on)), on)

    def test_now_epoch(self):
        saved = os.environ.pop('HP_NOW', None)
        try:
            os.environ['HP_NOW'] = ''
            before = time.time()
            self.assertGreaterEqual(config.now_epoch(), before)     # empty: the clock
            os.environ['HP_NOW'] = '1764380000.5'
            self.assertEqual(config.now_epoch(), 1764380000.5)
        finally:
            os.environ.pop('HP_NOW', None)
            if saved is not None:
                os.environ['HP_NOW'] = saved


class TestRepoGroups(unittest.TestCase):
    def test_group_args(self):
        logging.disable(logging.CRITICAL)
        try:
            args, ids = command.group_args([
                ('a', '/c/a', True, ['file:///k/a.asc', 'https://x/k.asc', '/k/b.asc']),
                ('b', '/c/b', False, ['file:///k/ignored.asc']),
                ('c', '/c/c', True, ['/k/a.asc'])])     # a key already passed: once
        finally:
            logging.disable(logging.NOTSET)
        self.assertEqual(args, ['--repo', '/c/a', '--gpgkey', '/k/a.asc', '--gpgkey', '/k/b.asc',
                                '--repo-nogpgcheck', '/c/b', '--repo', '/c/c'])
        self.assertEqual(ids, ['a', 'b', 'c'])
        self.assertEqual(command.group_args([]), ([], []))

    def test_file_url_path(self):
        self.assertEqual(command.file_url_path('file:///etc/k'), '/etc/k')
        self.assertEqual(command.file_url_path('/etc/k'), '/etc/k')
        self.assertIsNone(command.file_url_path('https://example.org/k'))


class TestMergeCheck(unittest.TestCase):
    def test_two_runs(self):
        signed = {'running': [{'name': 'kernel', 'evr': '6.1-57'}], 'baseline': None,
                  'available': [{'package': 'kh', 'evr': '2-1', 'arch': 'x86_64'}],
                  'held_back': [{'name': 'kernel', 'evr': '6.1-60', 'baseline': 'B2'}],
                  'reboot_suggested': []}
        unsigned = {'running': [{'name': 'kernel', 'evr': '6.1-57'}],
                    'baseline': {'id': 'B1'},
                    'available': [{'package': 'kh', 'evr': '2-1', 'arch': 'x86_64'},
                                  {'package': 'kh', 'evr': '2-1', 'arch': 'aarch64'},
                                  {'package': 'kh', 'evr': '3-1', 'arch': 'x86_64'}],
                    'held_back': [{'name': 'kernel', 'evr': '6.1-61'},
                                  {'name': 'glibc', 'evr': '2.36-9'}],
                    'reboot_suggested': [{'name': 'o', 'evr': '1-1', 'arch': 'x86_64',
                                          'advisory': 'A'},
                                         {'name': 'o', 'evr': '1-1', 'arch': 'x86_64',
                                          'advisory': 'B'}]}
        m = command.merge_check(command.merge_check(None, signed), unsigned)
        self.assertEqual(m['running'], [{'name': 'kernel', 'evr': '6.1-57'}])
        self.assertEqual(m['baseline'], {'id': 'B1'})      # the first that names one
        self.assertEqual([(a['evr'], a['arch']) for a in m['available']],
                         [('2-1', 'x86_64'), ('2-1', 'aarch64'), ('3-1', 'x86_64')])
        self.assertEqual([(h['name'], h['evr']) for h in m['held_back']],
                         [('kernel', '6.1-60'), ('glibc', '2.36-9')])
        self.assertEqual([r['advisory'] for r in m['reboot_suggested']], ['A'])

    def test_missing_fields(self):
        m = command.merge_check(None, {'available': None})
        self.assertEqual(m, {'running': [], 'baseline': None, 'available': [], 'held_back': [],
                             'reboot_suggested': []})


class TestRefusals(unittest.TestCase):
    ids = {'/cache/hp-a': 'hp-a', '/cache/hp-b': 'hp-b'}

    def test_stderr_lines(self):
        err = ("hotpatch: error: repository '/cache/hp-a' refused: signature expired\n"
               "hotpatch: error: repository '/elsewhere' refused: bad: 'quoted' text\n"
               "hotpatch: something else\n")
        self.assertEqual(command.parse_refusals(1, '', err, self.ids),
                         {'hp-a': 'signature expired', '/elsewhere': "bad: 'quoted' text"})

    def test_json_repos(self):
        out = ('{"repos": [{"url": "/cache/hp-b", "id": "b", "error": "stale"},'
               ' {"url": "/cache/hp-a", "id": "a"}, {"url": "/x", "id": "x", "error": "bad"}]}')
        err = "hotpatch: error: repository '/cache/hp-b' refused: other words\n"
        self.assertEqual(command.parse_refusals(1, out, err, self.ids),
                         {'hp-b': 'stale', 'x': 'bad'})     # the JSON's reason first

    def test_not_refusals(self):
        err = "hotpatch: error: repository '/cache/hp-a' refused: stale\n"
        self.assertEqual(command.parse_refusals(2, '', err, self.ids), {})     # usage error
        self.assertEqual(command.parse_refusals(0, '{}', err, self.ids), {})
        self.assertEqual(command.parse_refusals(1, 'not json', err, self.ids), {})
        self.assertEqual(command.parse_refusals(1, '[1]', err, self.ids), {})
        self.assertEqual(command.parse_refusals(1, '', 'hotpatch: error: out of memory\n',
                                                self.ids), {})

    def test_refused_error(self):
        logging.disable(logging.CRITICAL)
        try:
            self.assertIsNone(command.refused_error({}))
            self.assertEqual(str(command.refused_error({'a': 'x'})),
                             'hotpatch: 1 hotpatch repository was refused; its hotpatches were '
                             'not installed')
            self.assertEqual(str(command.refused_error({'a': 'x', 'b': 'y'})),
                             'hotpatch: 2 hotpatch repositories were refused; their hotpatches '
                             'were not installed')
        finally:
            logging.disable(logging.NOTSET)

    def test_last_line(self):
        self.assertEqual(command.last_line('one\ntwo\n  \n', 1), 'two')
        self.assertEqual(command.last_line('', 3), 'exit status 3')


class Conf(object):
    def __init__(self, installroot):
        self.installroot = installroot


class Base(object):
    def __init__(self, installroot='/'):
        self.conf = Conf(installroot)


class Settings(object):
    def __init__(self, **kw):
        self.hotpatch_command = kw.get('hotpatch_command', '/bin/true')
        self.fetch_timeout = kw.get('fetch_timeout', 300)


class TestRunnerArgs(unittest.TestCase):
    def test_root_args(self):
        self.assertEqual(command.Runner(Base('/'), Settings()).root_args(), [])
        self.assertEqual(command.Runner(Base('/srv/img'), Settings(fetch_timeout=9)).root_args(),
                         ['--fetch-timeout', '9', '--root', '/srv/img'])

    def test_executable(self):
        self.assertEqual(command.Runner(Base(), Settings(hotpatch_command='true')).executable(),
                         shutil.which('true'))
        with self.assertRaises(dnf.exceptions.Error) as cm:
            command.Runner(Base(), Settings(hotpatch_command='/nonexistent/hotpatch')).executable()
        self.assertIn("cannot run '/nonexistent/hotpatch' (hotpatch_command in hotpatch.conf)",
                      str(cm.exception))


class TestRebootRules(unittest.TestCase):
    def test_rules(self):
        rules = policy.reboot_rules(['kernel*', 'glibc'], {'zlib', 'dbus'},
                                    ['kernel', 'installonlypkg(kernel)', 'installonlypkg(vm)',
                                     'kernel-modules', 'installonlypkg(kernel-module)'])
        self.assertEqual(rules, [
            ("'kernel*' in reboot_requiring", ['kernel*'], [], []),
            ("'glibc' in reboot_requiring", ['glibc'], [], []),
            ('listed in needs-restarting.d', [], ['dbus', 'zlib'], []),
            (policy.KERNEL_BUILD, [], ['kernel', 'kernel-modules'],
             ['installonlypkg(kernel)', 'installonlypkg(kernel-module)'])])

    def test_no_list(self):
        rules = policy.reboot_rules([], set(), [])
        self.assertEqual(rules, [(policy.KERNEL_BUILD, [], [], ['installonlypkg(kernel)'])])

    def test_components(self):
        check = {'running': [{'name': 'kernel'}], 'held_back': [{'name': 'glibc'}],
                 'available': [{'component': 'kernel'}, {'package': 'x'}],
                 'installed': [{'component': 'openssl'}]}
        self.assertEqual(policy.check_components(check, {'zlib'}),
                         {'kernel', 'glibc', 'openssl', 'zlib'})
        self.assertEqual(policy.check_components(None, set()), set())
        self.assertEqual(policy.provided_components(['hotpatch(kernel) = 1', 'hotpatch(',
                                                     'kernel', 'hotpatch(glibc)']),
                         {'kernel', 'glibc'})


def evr_cmp(a, b):
    """Numeric EVR order of the simple EVRs below (hawkey's evr_cmp in dnf)."""
    key = lambda evr: [int(x) for x in evr.replace('-', '.').split('.')]  # noqa: E731
    return (key(a) > key(b)) - (key(a) < key(b))


class TestHolds(unittest.TestCase):
    check = {'held_back': [{'name': 'kernel-core', 'evr': '6.1-60', 'baseline': '2026Q2',
                            'reason': 'needs a reboot (baseline component)'},
                           {'name': 'glibc', 'evr': '2.36-10', 'baseline': '2026Q3'},
                           {'name': 'kernel-hotpatch', 'evr': '9-1', 'baseline': 'B'}],
             'reboot_suggested': [{'name': 'openssl', 'evr': '3-2', 'arch': 'x86_64',
                                   'advisory': 'HP-2'},
                                  {'name': 'openssl', 'evr': '3-2', 'arch': 'x86_64',
                                   'advisory': 'HP-1'},
                                  {'name': 'openssl', 'evr': '3-3', 'arch': 'x86_64',
                                   'advisory': 'HP-3'},
                                  {'name': 'systemd', 'evr': '254-1', 'arch': 'x86_64',
                                   'advisory': 'HP-4'}]}
    matched = [("'systemd' in reboot_requiring", {'systemd'}),
               ("'glibc' in reboot_requiring", {'glibc'}),
               ('listed in needs-restarting.d', {'systemd', 'zlib', 'kernel-hotpatch'})]

    def test_reasons(self):
        h = policy.Holds(self.check)
        self.assertEqual(h.candidates(self.matched),
                         {'kernel-core', 'glibc', 'kernel-hotpatch', 'openssl', 'systemd', 'zlib'})
        reasons = h.by_name(self.matched, {'kernel-hotpatch'})
        self.assertEqual(reasons, {
            'systemd': (None, "needs a reboot: 'systemd' in reboot_requiring"),   # first rule
            'zlib': (None, 'needs a reboot: listed in needs-restarting.d'),
            'glibc': ('2026Q3', 'baseline component'),      # check's baseline wins
            'kernel-core': ('2026Q2', 'needs a reboot (baseline component)')})
        # advisories: systemd is held already; the first advisory of a NEVRA counts
        self.assertEqual(h.advised({'kernel-hotpatch'}),
                         [(('openssl', '3-2', 'x86_64'), 'HP-2'),
                          (('openssl', '3-3', 'x86_64'), 'HP-3')])
        h.advise('openssl', 'HP-3')
        self.assertEqual(reasons['openssl'], (None, 'advisory HP-3 suggests a reboot'))
        self.assertEqual(h.advised({'kernel-hotpatch'}), [])

    def test_held(self):
        h = policy.Holds(self.check)
        h.by_name(self.matched, {'kernel-hotpatch'})
        held = h.held([('zlib', '1.3-1'), ('zlib', '1.10-1'), ('zlib', '1.2-1'),
                       ('glibc', '2.36-11')], evr_cmp)
        self.assertEqual(held, {
            'zlib': ('1.10-1', None, 'needs a reboot: listed in needs-restarting.d'),   # newest
            'glibc': ('2.36-11', '2026Q3', 'baseline component'),
            # named by check, no update hidden: check's own EVR
            'kernel-core': ('6.1-60', '2026Q2', 'needs a reboot (baseline component)'),
            # a hotpatch package's name is never held by a rule; check's own entry stays
            'kernel-hotpatch': ('9-1', 'B', 'baseline component')})

    def test_no_check(self):
        h = policy.Holds(None)
        self.assertEqual(h.by_name([], set()), {})
        self.assertEqual(h.held([], evr_cmp), {})


class TestPluginLoads(unittest.TestCase):
    """The plugin finds its package: beside itself (source tree), in the
    site-packages directory above its dnf-plugins directory (installed,
    also below an installroot), or says it is missing."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def load(self, plugin):
        code = ('import importlib.util, sys\n'
                'spec = importlib.util.spec_from_file_location("hp", sys.argv[1])\n'
                'm = importlib.util.module_from_spec(spec)\n'
                'spec.loader.exec_module(m)\n'
                'print(sys.modules["dnf_hotpatch"].__file__)\n')
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
        return subprocess.run([sys.executable, '-c', code, plugin], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, env=env,
                              cwd=self.tmp)

    def install(self, with_package):
        site = os.path.join(self.tmp, 'usr/lib/python3/dist-packages')
        os.makedirs(os.path.join(site, 'dnf-plugins'))
        shutil.copy(os.path.join(PLUGIN_DIR, 'hotpatch.py'), os.path.join(site, 'dnf-plugins'))
        if with_package:
            shutil.copytree(os.path.join(PLUGIN_DIR, 'dnf_hotpatch'),
                            os.path.join(site, 'dnf_hotpatch'),
                            ignore=shutil.ignore_patterns('__pycache__'))
        return site

    def test_source_tree(self):
        r = self.load(os.path.join(PLUGIN_DIR, 'hotpatch.py'))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.path.realpath(r.stdout.strip()),
                         os.path.realpath(os.path.join(PLUGIN_DIR, 'dnf_hotpatch', '__init__.py')))

    def test_installed_layout(self):
        site = self.install(True)
        r = self.load(os.path.join(site, 'dnf-plugins', 'hotpatch.py'))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), os.path.join(site, 'dnf_hotpatch', '__init__.py'))

    def test_missing(self):
        site = self.install(False)
        r = self.load(os.path.join(site, 'dnf-plugins', 'hotpatch.py'))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("ImportError: dnf-hotpatch: the plugin's python package dnf_hotpatch is "
                      "missing (looked in %s, %s and python's path)"
                      % (os.path.join(site, 'dnf-plugins'), site), r.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
