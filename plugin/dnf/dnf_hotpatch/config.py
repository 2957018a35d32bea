# config.py - hotpatch.conf's [main] section, validated, and the maintenance
# window it names (docs/dnf-plugin.md, "Configuration").

from __future__ import absolute_import
from __future__ import unicode_literals

import os
import time

import dnf.exceptions

DEFAULTS = {
    # dnf-plugins-core needs-restarting's NEED_REBOOT, plus microcode_ctl
    # (docs/dnf-plugin.md says why each needs a reboot).  The running
    # kernel's build packages (installonlypkg(kernel), installonlypkgs) and
    # the names in needs-restarting.d/*.conf are held on top of this list.
    'reboot_requiring': ('kernel kernel-core kernel-rt glibc linux-firmware systemd dbus '
                         'dbus-broker dbus-daemon microcode_ctl'),
    'hotpatch_command': '/usr/bin/hotpatch',
    'apply_timeout': '60',
    'check_timeout': '300',
    'fetch_timeout': '300',
    'baseline_policy': 'hold',
    'maintenance_window': '',
    'reboot': 'never',
    # dnf-automatic's default, so admins meet no surprise.
    'reboot_command': "shutdown -r +5 'Rebooting after applying package updates'",
    # dnf-automatic runs install hotpatches and hold back as --hotpatch does
    'automatic': 'no',
}

DAYS = ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
WEEK_MIN = 7 * 24 * 60


class Settings(object):
    """The [main] section of hotpatch.conf (a libdnf ConfigParser), validated.
    Built lazily, only when --hotpatch or `dnf hotpatch` is used, so that a
    broken config never breaks plain dnf commands."""

    def __init__(self, parser):
        def get(key):
            if parser.has_section('main') and parser.has_option('main', key):
                return parser.getValue('main', key).strip()
            return DEFAULTS[key]

        self.reboot_requiring = get('reboot_requiring').replace(',', ' ').split()
        self.hotpatch_command = get('hotpatch_command')
        self.apply_timeout = _positive_int('apply_timeout', get('apply_timeout'))
        self.check_timeout = _positive_int('check_timeout', get('check_timeout'))
        self.fetch_timeout = _positive_int('fetch_timeout', get('fetch_timeout'))
        self.baseline_policy = _one_of('baseline_policy', get('baseline_policy'),
                                       ('hold', 'window'))
        self.maintenance_window = get('maintenance_window').strip('"\'')
        self.window = None
        if self.maintenance_window:
            self.window = parse_window(self.maintenance_window)
        if self.baseline_policy == 'window' and self.window is None:
            raise dnf.exceptions.ConfigError(
                'hotpatch.conf: baseline_policy=window needs maintenance_window')
        self.reboot = _one_of('reboot', get('reboot'), ('never', 'when-needed'))
        self.reboot_command = get('reboot_command')
        automatic = get('automatic').lower()
        if automatic not in ('yes', 'no', '1', '0', 'true', 'false'):
            raise dnf.exceptions.ConfigError(
                "hotpatch.conf: automatic must be 'yes' or 'no', not '%s'" % automatic)
        self.automatic = automatic in ('yes', '1', 'true')


def automatic_off(parser):
    """Whether hotpatch.conf leaves dnf-automatic alone: only `automatic` is
    read then, so a broken file never breaks a dnf-automatic that does not
    use the plugin."""
    if not (parser.has_section('main') and parser.has_option('main', 'automatic')):
        return True
    return parser.getValue('main', 'automatic').strip().lower() in ('no', '0', 'false')


def _one_of(key, value, allowed):
    if value not in allowed:
        raise dnf.exceptions.ConfigError("hotpatch.conf: %s must be '%s' or '%s', not '%s'"
                                         % ((key,) + allowed + (value,)))
    return value


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
