#!/usr/bin/python3
"""bench/gen.py - generate a distribution-scale rpm-md repository for the
benchmarks (see bench/README in RESULTS.md).

Writes, under OUT:
  repo/repodata/{primary,filelists,other}.xml.gz + repomd.xml
      metadata of SCALE synthetic "distribution" packages, with provides,
      requires, files and changelogs like a distribution's, and for each one
      a SPARSE file at its location (size and mtime as in the metadata), so
      that `createrepo_c --update` sees them and reuses their metadata by
      mtime+size exactly as it does for real unchanged packages;
  specs/hp-*.spec       hotpatch packages (real RPMs are built from these:
                        hotpatch-repo reads their headers and payloads),
                        one subpackage per hotpatch (rpmbuild builds
                        hundreds of subpackages per run: ~20 ms per RPM);
  specs/inst-*.spec     the installed set (installed with rpm --justdb);
  kernels.txt           "KREL" per kernel build (built from the test fixture
                        spec kernel-core.spec, real RPMs in the repo);
  updateinfo.xml        advisories with CVEs for every hotpatch and for a
                        share of the ordinary packages;
  baselines.txt         one line per baseline: ID KIND ISSUED UNTIL NAME=EVR...
  running.txt           HP_UNAME_R=..., and the installed component builds;
  new-hotpatch.spec     one extra hotpatch (publish after one new package).
Deterministic for a given --seed.
"""
import argparse
import datetime
import gzip
import hashlib
import os
import random

ARCH = "x86_64"
DIST = "dist"
USER_COMPONENTS = [
    "glibc", "openssl-libs", "systemd-libs", "libxml2", "zlib", "curl-libs",
    "sqlite-libs", "gnutls", "krb5-libs", "libssh", "expat", "pcre2",
    "libgcrypt", "nss", "python3-libs", "openldap", "cyrus-sasl-lib", "libtasn1",
    "p11-kit", "libcap", "dbus-libs", "polkit-libs", "libarchive", "xz-libs",
    "bzip2-libs", "lz4-libs", "libzstd", "elfutils-libs", "audit-libs",
    "pam", "shadow-utils", "sudo", "openssh", "bind-libs", "samba-libs",
    "httpd-core", "nginx-core", "postgresql-libs", "mariadb-libs", "qemu-kvm-core",
    "libvirt-libs", "podman", "containerd", "runc", "java-17-openjdk-headless",
    "nodejs-libs", "ruby-libs", "perl-libs", "php-common", "tomcat",
]
SYL = ["al", "bor", "cen", "dri", "ex", "fol", "gam", "hex", "ion", "jar", "kel", "lum",
       "mor", "nex", "oph", "pra", "qui", "ros", "sta", "tur", "umb", "ver", "wex", "xen",
       "yor", "zed", "ka", "li", "mo", "nu", "pi", "ra", "so", "ti", "vu"]
PREFIX = ["", "", "", "", "python3-", "perl-", "rust-", "golang-", "ghc-", "texlive-",
          "nodejs-", "R-", "php-pecl-", "ocaml-", "lib"]
SUFFIX = ["", "", "", "-devel", "-libs", "-doc", "-common", "-tools", "-data", "-static"]
WORDS = ("library tool daemon parser binding support utilities framework client server "
         "plugin extension protocol format codec network graphics font data module "
         "runtime compiler interface handling fast simple small secure portable").split()


def hexid(rnd, n=64):
    return "%0*x" % (n, rnd.getrandbits(4 * n))


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def sentence(rnd, n):
    return " ".join(rnd.choice(WORDS) for _ in range(n))


class Pkg:
    __slots__ = ("name", "epoch", "ver", "rel", "arch", "provides", "requires", "files",
                 "pkgid", "time", "size", "isize", "summary", "desc", "real", "location",
                 "changelog")


def make_names(rnd, n):
    names, seen = [], set()
    while len(names) < n:
        base = "".join(rnd.choice(SYL) for _ in range(rnd.randint(2, 4)))
        name = rnd.choice(PREFIX) + base + rnd.choice(SUFFIX)
        if name in seen or name in USER_COMPONENTS:
            continue
        seen.add(name)
        names.append(name)
    return names


def files_for(rnd, name, nfiles, soname):
    files = ["/usr/share/doc/%s/README" % name, "/usr/share/licenses/%s/COPYING" % name]
    if soname:
        files.append("/usr/lib64/%s" % soname)
    if rnd.random() < 0.3:
        files.append("/usr/bin/%s" % name)
    if rnd.random() < 0.1:
        files.append("/etc/%s.conf" % name)
    while len(files) < nfiles:
        files.append("/usr/share/%s/%s-%d.dat" % (name, rnd.choice(SYL), len(files)))
    return files


def in_primary(f):
    return f.startswith("/etc/") or "bin/" in f


def write_primary(out, pkgs):
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
      'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">\n' % len(pkgs))
    for p in pkgs:
        w('<package type="rpm">\n  <name>%s</name>\n  <arch>%s</arch>\n'
          '  <version epoch="%s" ver="%s" rel="%s"/>\n'
          '  <checksum type="sha256" pkgid="YES">%s</checksum>\n'
          '  <summary>%s</summary>\n  <description>%s</description>\n'
          '  <packager>Bench Build System &lt;build@example.invalid&gt;</packager>\n'
          '  <url>https://example.invalid/%s</url>\n'
          '  <time file="%d" build="%d"/>\n'
          '  <size package="%d" installed="%d" archive="%d"/>\n'
          '  <location href="%s"/>\n  <format>\n'
          '    <rpm:license>MIT</rpm:license>\n    <rpm:vendor>Bench</rpm:vendor>\n'
          '    <rpm:group>Unspecified</rpm:group>\n    <rpm:buildhost>build.example.invalid</rpm:buildhost>\n'
          '    <rpm:sourcerpm>%s-%s-%s.src.rpm</rpm:sourcerpm>\n'
          '    <rpm:header-range start="4504" end="%d"/>\n'
          % (p.name, p.arch, p.epoch, p.ver, p.rel, p.pkgid, esc(p.summary), esc(p.desc),
             p.name, p.time, p.time - 3600, p.size, p.isize, p.isize + 1024, p.location,
             p.name, p.ver, p.rel, 4504 + 2000 + 60 * len(p.files)))
        w('    <rpm:provides>\n')
        for dep, evr in p.provides:
            if evr:
                w('      <rpm:entry name="%s" flags="EQ" epoch="%s" ver="%s"%s/>\n'
                  % (esc(dep), evr[0], evr[1], ' rel="%s"' % evr[2] if evr[2] else ""))
            else:
                w('      <rpm:entry name="%s"/>\n' % esc(dep))
        w('    </rpm:provides>\n    <rpm:requires>\n')
        for dep in p.requires:
            w('      <rpm:entry name="%s"/>\n' % esc(dep))
        w('    </rpm:requires>\n')
        for f in p.files:
            if in_primary(f):
                w('    <file>%s</file>\n' % f)
        w('  </format>\n</package>\n')
    w('</metadata>\n')


def write_per_package(out, pkgs, root, ns, body):
    """filelists.xml and other.xml: one <package> (pkgid, name, arch,
    version) per package around what body(w, p) writes."""
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n<%s xmlns="http://linux.duke.edu/metadata/%s" '
      'packages="%d">\n' % (root, ns, len(pkgs)))
    for p in pkgs:
        w('<package pkgid="%s" name="%s" arch="%s">\n  <version epoch="%s" ver="%s" rel="%s"/>\n'
          % (p.pkgid, p.name, p.arch, p.epoch, p.ver, p.rel))
        body(w, p)
        w('</package>\n')
    w('</%s>\n' % root)


def filelists_body(w, p):
    for d in sorted({f.rsplit("/", 1)[0] for f in p.files}):
        w('  <file type="dir">%s</file>\n' % d)
    for f in p.files:
        w('  <file>%s</file>\n' % f)


def other_body(w, p):
    for t, text in p.changelog:
        w('  <changelog author="Bench Maintainer &lt;m@example.invalid&gt; - %s-%s" date="%d">%s</changelog>\n'
          % (p.ver, p.rel, t, esc(text)))


def write_filelists(out, pkgs):
    write_per_package(out, pkgs, "filelists", "filelists", filelists_body)


def write_other(out, pkgs):
    write_per_package(out, pkgs, "otherdata", "other", other_body)


def gz_write(path, fn, pkgs):
    with gzip.open(path, "wt", compresslevel=6, encoding="utf-8") as f:
        fn(f, pkgs)


def sha256_file(path, opener=open):
    h = hashlib.sha256()
    size = 0
    with opener(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            size += len(b)
            h.update(b)
    return h.hexdigest(), size


def write_repomd(repodata, now):
    recs = []
    for kind in ("primary", "filelists", "other"):
        path = os.path.join(repodata, kind + ".xml.gz")
        chk, size = sha256_file(path)
        ochk, osize = sha256_file(path, gzip.open)
        recs.append('  <data type="%s">\n    <checksum type="sha256">%s</checksum>\n'
                    '    <open-checksum type="sha256">%s</open-checksum>\n'
                    '    <location href="repodata/%s.xml.gz"/>\n    <timestamp>%d</timestamp>\n'
                    '    <size>%d</size>\n    <open-size>%d</open-size>\n  </data>\n'
                    % (kind, chk, ochk, kind, now, size, osize))
    with open(os.path.join(repodata, "repomd.xml"), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo" '
                'xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n  <revision>%d</revision>\n' % now)
        f.write("".join(recs))
        f.write('</repomd>\n')


def spec_header(w, name):
    w("Name: %s\nVersion: 1\nRelease: 1\nSummary: bench chunk\nLicense: MIT\n"
      "AutoReqProv: no\n%%description\nbench chunk\n" % name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--scale", type=int, default=60000, help="packages in the repository")
    ap.add_argument("--baselines", type=int, default=40)
    ap.add_argument("--hp-versions", type=int, default=5, help="cumulative versions per build")
    ap.add_argument("--hotpatches", type=int, default=0, help="default: scale/12")
    ap.add_argument("--installed", type=int, default=0, help="default: scale/40")
    ap.add_argument("--klp-dir", required=True, help="dir with livepatch .ko per kernel release")
    ap.add_argument("--chunk", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    B, V = a.baselines, a.hp_versions
    nhp = a.hotpatches or max(B * V, a.scale // 12)
    ninst = a.installed or max(50, a.scale // 40)
    ncomp = max(1, round(nhp / (B * V)))          # kernel-core + (ncomp-1) user space
    comps = ["kernel-core"] + USER_COMPONENTS[:ncomp - 1]
    now = int(datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc).timestamp())
    out = a.out
    repo = os.path.join(out, "repo")
    os.makedirs(os.path.join(repo, "repodata"), exist_ok=True)
    os.makedirs(os.path.join(out, "specs"), exist_ok=True)

    # --- component builds: build k of every component is in baseline k ---
    comp_ver = {c: "%d.%d.%d" % (rnd.randint(1, 9), rnd.randint(0, 40), rnd.randint(0, 9)) for c in comps}
    comp_ver["kernel-core"] = "6.1.0"
    if "glibc" in comp_ver:
        comp_ver["glibc"] = "2.36"

    def build_rel(k):
        return str(10 + k)          # kernel: 6.1.0-10 .. 6.1.0-49, uname -r 6.1.0-NN-amd64
    running = B - 3 if B >= 3 else 0

    # --- ordinary distribution packages ---
    n_ord = max(10, a.scale - len(comps) * B - nhp - (ncomp and 0))
    names = make_names(rnd, n_ord)
    n_core = max(20, min(n_ord // 2, a.scale // 200, ninst // 3))
    soname_of = {}
    pkgs = []
    libprov = []
    for name in names:
        p = Pkg()
        p.name, p.epoch = name, "0"
        p.ver = "%d.%d.%d" % (rnd.randint(0, 20), rnd.randint(0, 30), rnd.randint(0, 20))
        p.rel = "%d.%s" % (rnd.randint(2, 9), DIST)
        p.arch = "noarch" if rnd.random() < 0.25 else ARCH
        soname = None
        p.provides = [(name, ("0", p.ver, p.rel))]
        if p.arch == ARCH:
            p.provides.append(("%s(x86-64)" % name, ("0", p.ver, p.rel)))
            if rnd.random() < 0.3:
                soname = "lib%s.so.%d" % (name.replace("-", "_"), rnd.randint(0, 5))
                p.provides.append(("%s()(64bit)" % soname, None))
                soname_of[name] = soname
        if name.endswith("-devel"):
            p.provides.append(("pkgconfig(%s)" % name[:-6], ("0", p.ver, None)))
        reqs = ["libc.so.6()(64bit)", "libc.so.6(GLIBC_2.34)(64bit)", "rtld(GNU_HASH)"] if p.arch == ARCH else []
        # Layered as a distribution: a core (the first n_core packages) that
        # others require; core packages require only earlier core packages.
        # An installed set made of the core plus anything is closed under
        # requires, so an upgrade pulls in few new packages.
        core = pkgs[:n_core]
        for _ in range(rnd.randint(1, 3) if len(pkgs) < n_core else rnd.randint(1, 6)):
            if libprov and rnd.random() < 0.5:
                reqs.append(rnd.choice(libprov))
            elif core:
                reqs.append(rnd.choice(core).name)
        p.requires = list(dict.fromkeys(reqs))
        if soname and len(pkgs) < n_core:
            libprov.append("%s()(64bit)" % soname)
        p.files = files_for(rnd, name, rnd.randint(3, 45), soname)
        pkgs.append(p)
    # --- component builds (metadata only; kernel builds are real RPMs) ---
    comp_pkgs = {}
    for c in comps:
        for k in range(B):
            p = Pkg()
            p.name, p.epoch, p.ver, p.rel, p.arch = c, "0", comp_ver[c], build_rel(k), ARCH
            p.provides = [(c, ("0", p.ver, p.rel)), ("%s(x86-64)" % c, ("0", p.ver, p.rel))]
            if c == "glibc":
                p.provides += [("libc.so.6()(64bit)", None), ("libc.so.6(GLIBC_2.34)(64bit)", None),
                               ("rtld(GNU_HASH)", None)]
            p.requires = [] if c in ("glibc", "kernel-core") else ["libc.so.6()(64bit)"]
            p.files = files_for(rnd, c, 30, "lib%s.so.1" % c.replace("-", "_"))
            comp_pkgs[(c, k)] = p
            if c != "kernel-core":
                pkgs.append(p)
    if "glibc" not in comps:
        # someone must provide what everything requires
        p = Pkg()
        p.name, p.epoch, p.ver, p.rel, p.arch = "glibc", "0", "2.36", "9." + DIST, ARCH
        p.provides = [("glibc", ("0", p.ver, p.rel)), ("libc.so.6()(64bit)", None),
                      ("libc.so.6(GLIBC_2.34)(64bit)", None), ("rtld(GNU_HASH)", None)]
        p.requires = []
        p.files = files_for(rnd, "glibc", 60, "libc.so.6")
        pkgs.append(p)
    for p in pkgs:
        p.pkgid = hexid(rnd)
        p.time = now - rnd.randint(0, 3 * 365 * 86400)
        p.size = rnd.randint(8000, 3000000)
        p.isize = p.size * 3
        p.summary = sentence(rnd, 5)
        p.desc = sentence(rnd, rnd.randint(15, 60))
        p.location = "Packages/%s/%s-%s-%s.%s.rpm" % (p.name[0].lower(), p.name, p.ver, p.rel, p.arch)
        p.changelog = [(p.time - i * 86400 * 30, sentence(rnd, rnd.randint(4, 20)))
                       for i in range(rnd.randint(1, 5))]
    pkgs.sort(key=lambda p: p.location)

    # sparse stand-ins: createrepo_c --update reuses metadata by mtime+size
    for p in pkgs:
        path = os.path.join(repo, p.location)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.truncate(p.size)
        os.utime(path, (p.time, p.time))
    rd = os.path.join(repo, "repodata")
    gz_write(os.path.join(rd, "primary.xml.gz"), write_primary, pkgs)
    gz_write(os.path.join(rd, "filelists.xml.gz"), write_filelists, pkgs)
    gz_write(os.path.join(rd, "other.xml.gz"), write_other, pkgs)
    write_repomd(rd, now)

    # --- kernels (real RPMs from the fixture spec) ---
    with open(os.path.join(out, "kernels.txt"), "w") as f:
        for k in range(B):
            f.write("%s\n" % build_rel(k))

    # --- baselines ---
    with open(os.path.join(out, "baselines.txt"), "w") as f:
        for k in range(B):
            issued = datetime.date(2026, 11, 1) - datetime.timedelta(days=91 * (B - 1 - k))
            until = issued + datetime.timedelta(days=550)
            kind = "unplanned" if k % 7 == 6 else "planned"
            f.write("BL%03d %s %s %s %s\n" % (k, kind, issued, until, " ".join(
                "%s=%s-%s" % (c, comp_ver[c], build_rel(k)) for c in comps)))

    # --- hotpatches ---
    hps = []          # (name, ver, comp, build, k)
    for c in comps:
        for k in range(B):
            build = "%s-%s" % (comp_ver[c], build_rel(k))
            for v in range(1, V + 1):
                hps.append(("%s-hotpatch-%s" % (c, build), v, c, build, k))

    def hp_spec(path, items, tag):
        with open(path, "w") as f:
            w = f.write
            spec_header(w, "bench-hp-%s" % tag)
            w("%install\n")
            for name, v, c, build, k in items:
                d = "%%{buildroot}/usr/lib/hotpatch/%s/%s" % (c, build)
                w("mkdir -p %s\n" % d)
                if c == "kernel-core":
                    w("cp %s/livepatch-%s-amd64-v%d.ko %s/livepatch_%s_%s.ko\n"
                      % (a.klp_dir, build, 1 + (v % 2), d, build.replace(".", "_").replace("-", "_"), "hp"))
                else:
                    # random bytes: an exec engine's payload ("ucare"); the built-in
                    # ulp engine's must be a packed libpulp patch, which publish lints
                    w("head -c %d /dev/urandom > %s/patch.ulp\n" % (rnd.randint(2048, 16384), d))
            for name, v, c, build, k in items:
                evr = build
                fn = ("livepatch_%s_hp.ko" % build.replace(".", "_").replace("-", "_")
                      if c == "kernel-core" else "patch.ulp")
                w("%%package -n %s\nVersion: %d\nRelease: 1\nSummary: Live patch %d for %s %s\n"
                  "Provides: hotpatch(%s) = %s\nRequires: %s = %s\nProvides: hotpatch-engine(%s)\n"
                  "%%description -n %s\nCumulative live patch for %s %s.\n"
                  "%%files -n %s\n/usr/lib/hotpatch/%s/%s/%s\n"
                  % (name, v, v, c, build, c, evr, c, evr,
                     "klp" if c == "kernel-core" else "ucare", name, c, build, name, c, build, fn))

    # one spec per version (the same payload path in every version), chunked
    nspec = 0
    for v in range(1, V + 1):
        items = [h for h in hps if h[1] == v]
        for i in range(0, len(items), a.chunk):
            hp_spec(os.path.join(out, "specs", "hp-%03d.spec" % nspec), items[i:i + a.chunk], str(nspec))
            nspec += 1
    # the one new hotpatch: next version for the running build of the first user component
    c_new = comps[1] if len(comps) > 1 else comps[0]
    b_new = "%s-%s" % (comp_ver[c_new], build_rel(running))
    hp_spec(os.path.join(out, "new-hotpatch.spec"),
            [("%s-hotpatch-%s" % (c_new, b_new), V + 1, c_new, b_new, running)], "new")

    # --- updateinfo ---
    with open(os.path.join(out, "updateinfo.xml"), "w") as f:
        w = f.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n')
        cve = 10000
        adv = 0

        def advisory(pkglist, sev, ncve, reboot=False):
            nonlocal cve, adv
            adv += 1
            issued = datetime.date(2026, 11, 1) - datetime.timedelta(days=rnd.randint(0, 3000))
            w('  <update from="security@example.invalid" status="stable" type="security" version="2.0">\n'
              '    <id>BENCH-%d-%05d</id>\n    <title>%s</title>\n'
              '    <issued date="%s 00:00:00"/>\n    <updated date="%s 00:00:00"/>\n'
              '    <rights>Copyright bench</rights>\n    <release>bench</release>\n'
              '    <severity>%s</severity>\n    <summary>%s</summary>\n'
              '    <description>%s</description>\n    <references>\n'
              % (issued.year, adv, sentence(rnd, 6), issued, issued, sev, sentence(rnd, 8),
                 sentence(rnd, 40)))
            for _ in range(ncve):
                cve += 1
                w('      <reference href="https://www.cve.org/CVERecord?id=CVE-2026-%d" '
                  'id="CVE-2026-%d" type="cve" title="CVE-2026-%d"/>\n' % (cve, cve, cve))
            w('    </references>\n    <pkglist>\n      <collection short="bench">\n'
              '        <name>bench</name>\n')
            for n, e, ver, rel, ar in pkglist:
                w('        <package name="%s" epoch="%s" version="%s" release="%s" arch="%s" src="%s-%s-%s.src.rpm">\n'
                  '          <filename>%s-%s-%s.%s.rpm</filename>\n' % (n, e, ver, rel, ar, n, ver, rel,
                                                                       n, ver, rel, ar))
                if reboot:
                    w('          <reboot_suggested>True</reboot_suggested>\n')
                w('        </package>\n')
            w('      </collection>\n    </pkglist>\n  </update>\n')

        sevs = ["Low", "Moderate", "Important", "Critical"]
        for name, v, c, build, k in hps:
            advisory([(name, "0", str(v), "1", ARCH)], rnd.choice(sevs), rnd.randint(1, 3))
        for p in rnd.sample(pkgs, min(len(pkgs), len(pkgs) // 8)):
            advisory([(p.name, p.epoch, p.ver, p.rel, p.arch)], rnd.choice(sevs), rnd.randint(0, 4),
                     reboot=p.name in comps)
        w('</updates>\n')

    # --- installed set: component builds at the running baseline + ordinary ---
    inst = []
    for c in comps:
        if c != "kernel-core":
            inst.append(comp_pkgs[(c, running)])
    core_names = set(names[:n_core])
    ordinary = [p for p in pkgs if p.name not in comp_ver and p.name != "glibc"
                and p.name not in core_names]
    chosen = [p for p in pkgs if p.name in core_names]
    chosen += rnd.sample(ordinary, max(0, min(len(ordinary), ninst - len(inst) - 1 - len(chosen))))
    for p in chosen:
        if rnd.random() < 0.3:       # an update is available for 30% of them
            q = Pkg()
            for s in Pkg.__slots__:
                if hasattr(p, s):
                    setattr(q, s, getattr(p, s))
            q.rel = "1." + DIST
            inst.append(q)
        else:
            inst.append(p)
    if "glibc" not in comps:
        inst.append(next(p for p in pkgs if p.name == "glibc"))
    for i in range(0, len(inst), a.chunk):
        items = inst[i:i + a.chunk]
        tag = "%03d" % (i // a.chunk)
        with open(os.path.join(out, "specs", "inst-%s.spec" % tag), "w") as f:
            w = f.write
            spec_header(w, "bench-inst-%s" % tag)
            w("%install\n")
            manifest = os.path.join(out, "specs", "inst-%s.files" % tag)
            with open(manifest, "w") as m:
                for p in items:
                    for fl in p.files:
                        m.write(fl + "\n")
            w("while read -r f; do mkdir -p \"%%{buildroot}${f%%/*}\"; : > \"%%{buildroot}$f\"; done < %s\n"
              % manifest)
            for p in items:
                w("%%package -n %s\nVersion: %s\nRelease: %s\n%sSummary: %s\n"
                  % (p.name, p.ver, p.rel, "BuildArch: noarch\n" if p.arch == "noarch" else "",
                     p.summary))
                for dep, evr in p.provides:
                    if dep.endswith("(x86-64)") or dep == p.name:
                        continue
                    w("Provides: %s\n" % dep)
                for dep in p.requires:
                    w("Requires: %s\n" % dep)
                w("%%description -n %s\n%s\n%%files -n %s\n" % (p.name, p.desc, p.name))
                for fl in p.files:
                    w("%s\n" % fl)
    with open(os.path.join(out, "running.txt"), "w") as f:
        f.write("HP_UNAME_R=6.1.0-%s-amd64\nKREL=%s\n" % (build_rel(running), build_rel(running)))
        f.write("NEW_HOTPATCH_COMPONENT=%s\n" % c_new)
    print("packages=%d components=%d baselines=%d hotpatches=%d installed=%d advisories=%d"
          % (len(pkgs) + len(comps) * 0 + B + len(hps), len(comps), B, len(hps), len(inst) + 1,
             len(hps) + len(pkgs) // 8))


if __name__ == "__main__":
    main()
