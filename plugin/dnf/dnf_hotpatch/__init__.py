# dnf_hotpatch - the policy of the dnf-hotpatch dnf plugin, kept apart from
# the plugin (dnf-plugins/hotpatch.py) so that it is tested on its own
# (tests/plugin/), as dnf-plugins-core keeps dnfpluginscore:
#
#   config   hotpatch.conf's [main] (Settings), maintenance windows
#   command  running the hotpatch command: repo groups by repo_gpgcheck,
#            check runs and their merge, refused repositories, apply,
#            needs-reboot, orphan reverts
#   policy   dry runs, the installroot rule, what needs a reboot and why
#            an update is held back
#
# The plugin only turns these answers into dnf's sack and transaction.
# See docs/dnf-plugin.md ("Layout").
