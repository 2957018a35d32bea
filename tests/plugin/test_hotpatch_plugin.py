# Unit tests of the dnf plugin's policy functions (its package dnf_hotpatch),
# run by Debian's dnf Python: /usr/bin/python3 tests/plugin/test_hotpatch_plugin.py
# (tests/integration/t4605-plugin-unit.sh runs them).  The behaviour through
# real dnf is tested by the t4* integration tests; here the small decisions
# are pinned down one by one: maintenance windows, dry runs, the installroot
# rule, needs-restarting.d, the default reboot-requiring set, check merges.
import calendar
import importlib.util
import os
import shutil
import tempfile
import time
import unittest

import dnf.exceptions

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = importlib.util.spec_from_file_location(
    'hotpatch_plugin', os.path.join(HERE, '..', '..', 'plugin', 'dnf', 'hotpatch.py'))
plugin = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(plugin)
# The plugin loaded its policy package from beside it; the decisions tested
# here are that package's.
from dnf_hotpatch import command, config, policy  # noqa: E402


class Parser(object):
    """hotpatch.conf's [main] as libdnf's ConfigParser answers it."""

    def __init__(self, **values):
        self.values = values

    def has_section(self, name):
        return name == 'main'

    def has_option(self, section, key):
        return key in self.values

    def getValue(self, section, key):
        return self.values[key]


class Conf(object):
    def __init__(self, **kw):
        self.assumeno = kw.get('assumeno', False)
        self.downloadonly = kw.get('downloadonly', False)
        self.tsflags = kw.get('tsflags', [])
        self.installroot = kw.get('installroot', '/')


class Base(object):
    def __init__(self, **kw):
        self.conf = Conf(**kw)


def utc(y, mo, d, h, mi):
    return calendar.timegm((y, mo, d, h, mi, 0, 0, 0, 0))


class TestWindow(unittest.TestCase):
    def setUp(self):
        self.tz = os.environ.get('TZ')
        os.environ['TZ'] = 'UTC'
        time.tzset()

    def tearDown(self):
        if self.tz is None:
            os.environ.pop('TZ', None)
        else:
            os.environ['TZ'] = self.tz
        time.tzset()

    def test_parse(self):
        self.assertEqual(config.parse_window('Sun 02:00-04:00'), ([6], 120, 120))
        self.assertEqual(config.parse_window('Mon-Fri 22:00-02:00'), ([0, 1, 2, 3, 4], 1320, 240))
        self.assertEqual(config.parse_window('Sat,Sun 00:00-24:00'), ([5, 6], 0, 1440))
        self.assertEqual(config.parse_window('Fri-Mon 01:00-02:00')[0], [0, 4, 5, 6])
        self.assertEqual(config.parse_window('03:00-03:30'), (list(range(7)), 180, 30))
        self.assertEqual(config.parse_window('sunday 02:00-04:00')[0], [6])

    def test_parse_bad(self):
        for bad in ('Sun', 'Funday 01:00-02:00', '25:00-26:00', 'Sun 02:00-04:00 x',
                    '02:60-03:00', '24:30-01:00', 'Su 01:00-02:00', 'Sun 0200-0400', ''):
            with self.assertRaises(dnf.exceptions.ConfigError, msg=bad):
                config.parse_window(bad)

    def test_in_window(self):
        w = config.parse_window('Sun 02:00-04:00')
        # 2026-11-29 is a Sunday
        self.assertTrue(config.in_window(w, utc(2026, 11, 29, 2, 0)))
        self.assertTrue(config.in_window(w, utc(2026, 11, 29, 3, 59)))
        self.assertFalse(config.in_window(w, utc(2026, 11, 29, 4, 0)))
        self.assertFalse(config.in_window(w, utc(2026, 11, 28, 3, 0)))

    def test_in_window_past_midnight(self):
        w = config.parse_window('Sat 23:00-01:00')
        self.assertTrue(config.in_window(w, utc(2026, 11, 28, 23, 30)))
        self.assertTrue(config.in_window(w, utc(2026, 11, 29, 0, 30)))
        self.assertFalse(config.in_window(w, utc(2026, 11, 29, 1, 0)))
        # Sunday's window runs into Monday (week wrap)
        w = config.parse_window('Sun 23:00-01:00')
        self.assertTrue(config.in_window(w, utc(2026, 11, 30, 0, 30)))

    def test_hp_now(self):
        os.environ['HP_NOW'] = '1000'
        try:
            self.assertEqual(config.now_epoch(), 1000.0)
            os.environ['HP_NOW'] = 'soon'
            with self.assertRaises(dnf.exceptions.Error):
                config.now_epoch()
        finally:
            del os.environ['HP_NOW']


class TestRunRules(unittest.TestCase):
    def test_dry_run(self):
        self.assertEqual(policy.dry_run(Base(assumeno=True)), '--assumeno')
        self.assertEqual(policy.dry_run(Base(downloadonly=True)), '--downloadonly')
        self.assertEqual(policy.dry_run(Base(tsflags=['nodocs', 'test'])), 'tsflags=test')
        self.assertIsNone(policy.dry_run(Base(tsflags=['nodocs'])))

    def test_root_is_live(self):
        env = os.environ.pop('HP_ROOT_IS_LIVE', None)
        try:
            self.assertTrue(policy.root_is_live(Base(installroot='/')))
            self.assertTrue(policy.root_is_live(Base(installroot='//')))
            self.assertFalse(policy.root_is_live(Base(installroot='/srv/image')))
            os.environ['HP_ROOT_IS_LIVE'] = 'yes'
            self.assertFalse(policy.root_is_live(Base(installroot='/srv/image')))
            os.environ['HP_ROOT_IS_LIVE'] = '1'
            self.assertTrue(policy.root_is_live(Base(installroot='/srv/image')))
        finally:
            os.environ.pop('HP_ROOT_IS_LIVE', None)
            if env is not None:
                os.environ['HP_ROOT_IS_LIVE'] = env

    def test_needs_restarting_names(self):
        root = tempfile.mkdtemp()
        try:
            self.assertEqual(policy.needs_restarting_names(Base(installroot=root)), set())
            d = os.path.join(root, 'etc/dnf/plugins/needs-restarting.d')
            os.makedirs(os.path.join(d, 'sub.conf'))
            with open(os.path.join(d, 'a.conf'), 'w') as f:
                f.write('foo\n\n# a comment\nbar  \n')
            with open(os.path.join(d, 'b.txt'), 'w') as f:
                f.write('ignored\n')
            self.assertEqual(policy.needs_restarting_names(Base(installroot=root)), {'foo', 'bar'})
        finally:
            shutil.rmtree(root)


class TestSettings(unittest.TestCase):
    def test_defaults(self):
        s = config.Settings(Parser())
        # dnf-plugins-core needs-restarting's NEED_REBOOT plus microcode_ctl,
        # no globs
        self.assertEqual(s.reboot_requiring,
                         ['kernel', 'kernel-core', 'kernel-rt', 'glibc', 'linux-firmware',
                          'systemd', 'dbus', 'dbus-broker', 'dbus-daemon', 'microcode_ctl'])
        self.assertFalse(any('*' in n for n in s.reboot_requiring))
        self.assertFalse(s.automatic)
        self.assertEqual(s.baseline_policy, 'hold')

    def test_values(self):
        s = config.Settings(Parser(automatic='yes', reboot_requiring='kernel*, glibc'))
        self.assertTrue(s.automatic)
        self.assertEqual(s.reboot_requiring, ['kernel*', 'glibc'])

    def test_bad_values(self):
        for kv in ({'automatic': 'maybe'}, {'baseline_policy': 'x'},
                   {'baseline_policy': 'window'}, {'apply_timeout': '0'},
                   {'reboot': 'always'}, {'maintenance_window': 'Sun'}):
            with self.assertRaises(dnf.exceptions.ConfigError, msg=str(kv)):
                config.Settings(Parser(**kv))


class TestMerge(unittest.TestCase):
    def test_merge_check(self):
        a = {'running': [{'name': 'k', 'evr': '1-1'}], 'baseline': {'id': 'B1'},
             'available': [{'package': 'p', 'evr': '1-1', 'arch': 'x86_64'}],
             'held_back': [{'name': 'k', 'evr': '2-1'}],
             'reboot_suggested': [{'name': 'o', 'evr': '3-1', 'arch': 'x86_64', 'advisory': 'A'}]}
        b = {'running': [{'name': 'k', 'evr': '1-1'}, {'name': 'u', 'evr': '5-1'}],
             'baseline': {'id': 'B2'},
             'available': [{'package': 'p', 'evr': '1-1', 'arch': 'x86_64'},
                           {'package': 'q', 'evr': '1-1', 'arch': 'x86_64'}],
             'held_back': [{'name': 'k', 'evr': '3-1'}],
             'reboot_suggested': [{'name': 'o', 'evr': '3-1', 'arch': 'x86_64', 'advisory': 'B'}]}
        m = command.merge_check(command.merge_check(None, a), b)
        self.assertEqual([r['name'] for r in m['running']], ['k', 'u'])
        self.assertEqual(m['baseline'], {'id': 'B1'})
        self.assertEqual([x['package'] for x in m['available']], ['p', 'q'])
        self.assertEqual(m['held_back'], [{'name': 'k', 'evr': '2-1'}])
        self.assertEqual([r['advisory'] for r in m['reboot_suggested']], ['A'])


if __name__ == '__main__':
    unittest.main(verbosity=2)
