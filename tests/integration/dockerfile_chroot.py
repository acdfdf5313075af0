#!/usr/bin/env python3
"""Runs a Dockerfile's instructions in chroots instead of a Docker engine.

dockerfile_chroot.py build DOCKERFILE CONTEXT BASE WORKDIR
dockerfile_chroot.py run WORKDIR [--tty] [--user NAME] ARG...

Each stage (FROM) starts from a copy of BASE, a root filesystem standing in
for the stage's base image (test_image_chroot.sh makes it with debootstrap);
RUN runs its shell command chrooted there (with /proc, /sys and /dev bound in
a private mount namespace, the stage's ENV and WORKDIR); COPY copies from the
build context or from an earlier stage (--from=NAME); ENV, WORKDIR, ARG and
ENTRYPOINT are kept, the last stage's in WORKDIR/image.json. `run` then
runs that ENTRYPOINT with ARG... in the last stage's root, as `docker run
[-t] [--user NAME] IMAGE ARG...` would (-t: TERM=xterm, as Docker sets it),
and exits with its status. Stage roots
are WORKDIR/<stage number>. Only the instructions benchtop's Dockerfiles use
are understood; any other stops with a sentence (exit 2).

What differs from a real build: the base is whatever BASE holds (not the
registry's image), there are no layers or cache, and the chroot is not a
container (no namespaces but mount, no cgroup of its own, the host's network).
"""
import json
import os
import shlex
import shutil
import subprocess
import sys

CHROOT = r'''R=$1; shift
mount --rbind /proc "$R/proc" && mount --rbind /sys "$R/sys" && mount --rbind /dev "$R/dev" &&
cp /etc/resolv.conf "$R/etc/resolv.conf" && exec chroot "$R" "$@"'''


def die(msg):
    sys.stderr.write("dockerfile_chroot: %s\n" % msg)
    sys.exit(2)


def instructions(path):
    """(keyword, text) pairs: comments dropped, continuation lines joined."""
    out, cur = [], ""
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not cur and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        cur += line
        word, _, rest = cur.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        cur = ""
    return out


def in_root(root, argv, env, cwd, user=None):
    """Run argv chrooted in root (as user), in cwd, with env; its exit status."""
    inner = ["env", "-i"] + ["%s=%s" % kv for kv in env.items()] + \
        ["sh", "-c", 'cd "$0" && exec "$@"', cwd] + argv
    if user:
        inner = ["setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups"] + inner
    cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", CHROOT, "sh", root] + inner
    return subprocess.call(cmd)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "run":
        image = json.load(open(os.path.join(sys.argv[2], "image.json")))
        rest, user, tty = sys.argv[3:], None, False
        if rest[:1] == ["--tty"]:
            tty, rest = True, rest[1:]
        if rest[:1] == ["--user"] and len(rest) >= 2:
            user, rest = rest[1], rest[2:]
        env = dict(image["env"])
        if user:
            env["HOME"] = "/home/" + user
        if tty:
            env["TERM"] = "xterm"
        return in_root(image["root"], image["entrypoint"] + rest, env, image["cwd"], user)
    if len(sys.argv) != 6 or sys.argv[1] != "build":
        die("usage: dockerfile_chroot.py build DOCKERFILE CONTEXT BASE WORKDIR | run WORKDIR [--tty] [--user NAME] ARG...")
    dockerfile, context, base, work = sys.argv[2:6]
    os.makedirs(work, exist_ok=True)
    args, stages = {}, []
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}
    st = None
    for kw, text in instructions(dockerfile):
        if kw == "ARG":
            k, _, v = text.partition("=")
            if st is None or k not in args:
                args[k] = v
            continue
        if kw == "FROM":
            words = text.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(stages))
            root = os.path.join(work, str(len(stages)))
            if os.path.exists(root):
                shutil.rmtree(root)
            subprocess.check_call(["cp", "-a", base, root])
            st = {"name": name, "root": root, "env": dict(env), "cwd": "/", "entrypoint": None}
            stages.append(st)
            print("== stage %s: FROM %s (as %s)" % (len(stages) - 1, words[0], base), flush=True)
            continue
        if st is None:
            die("%s before FROM" % kw)
        if kw == "RUN":
            print("== RUN %s" % text[:100], flush=True)
            rc = in_root(st["root"], ["/bin/sh", "-c", text], st["env"], st["cwd"])
            if rc != 0:
                die("RUN exited %d: %s" % (rc, text[:200]))
        elif kw == "WORKDIR":
            st["cwd"] = os.path.join(st["cwd"], text)
            os.makedirs(st["root"] + st["cwd"], exist_ok=True)
        elif kw == "ENV":
            for word in shlex.split(text):
                k, _, v = word.partition("=")
                st["env"][k] = v
        elif kw == "COPY":
            words = text.split()
            src_root = context
            if words[0].startswith("--from="):
                frm = words.pop(0)[len("--from="):]
                src_root = next((s["root"] for s in stages if s["name"] == frm), None)
                if src_root is None:
                    die("COPY --from=%s names no earlier stage" % frm)
            if len(words) != 2:
                die("COPY with %d paths is not understood here" % len(words))
            src = os.path.join(src_root, words[0].lstrip("/"))
            dst = st["root"] + os.path.join(st["cwd"], words[1])
            print("== COPY %s" % text, flush=True)
            if os.path.isdir(src):
                os.makedirs(dst, exist_ok=True)
                subprocess.check_call(["cp", "-a", src.rstrip("/") + "/.", dst])
            else:
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)
        elif kw == "ENTRYPOINT":
            st["entrypoint"] = json.loads(text)
        else:
            die("the instruction %s is not understood here" % kw)
    if not stages or not stages[-1]["entrypoint"]:
        die("the last stage has no ENTRYPOINT")
    last = stages[-1]
    json.dump({k: last[k] for k in ("root", "env", "cwd", "entrypoint")}, open(os.path.join(work, "image.json"), "w"))
    print("== image: %s, entrypoint %s" % (last["root"], last["entrypoint"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
