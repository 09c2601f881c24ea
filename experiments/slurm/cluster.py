"""A one-node SLURM cluster on this machine, for trying and testing ``hydra/launcher=slurm``.

    sudo python experiments/slurm/cluster.py start [--state DIR]   # install if needed, start, wait until idle
    sudo python experiments/slurm/cluster.py stop  [--state DIR]   # cancel jobs, stop every daemon it started

It installs Debian's packages if they are missing (``slurm-wlm``, ``munge``, ``slurmdbd``,
``mariadb-server``), writes ``/etc/slurm/slurm.conf`` and ``slurmdbd.conf`` for one node (this
host, all its CPUs, 2 GB per CPU by default), and starts ``munged``, ``mariadbd`` (its data in the
state folder, on port 3307), ``slurmdbd``, ``slurmctld`` and ``slurmd`` in the background, each by
its PID, kept in ``<state>/pids.json`` so that ``stop`` ends exactly those processes. Accounting
(slurmdbd with MariaDB) is there because submitit learns that a job was cancelled or killed from
``sacct``. Running ``start`` twice stops the first cluster before starting again.

Needs root (it installs packages, writes ``/etc/slurm`` and runs the daemons as root). The state
folder must be reachable by the ``mysql`` user (not below a 0700 folder such as pytest's).
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PACKAGES = {"slurmctld": "slurm-wlm", "slurmd": "slurm-wlm", "sbatch": "slurm-wlm", "munged": "munge",
            "slurmdbd": "slurmdbd", "mariadbd": "mariadb-server"}
ETC = Path("/etc/slurm")
DEFAULT_STATE = Path("/tmp/trisim-slurm")
DB_PORT = 3307
DB_PASSWORD = "trisim-slurm"  # a throw-away database on 127.0.0.1, for this cluster's accounting only
CLUSTER = "trisim"


class ClusterError(RuntimeError):
    """A step of starting the cluster failed; the message says which."""


def _run(*cmd: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if check and proc.returncode != 0:
        last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
        raise ClusterError(f"{' '.join(cmd[:3])} failed ({proc.returncode}): {last[0]}")
    return proc


def install() -> None:
    """apt-get install what is missing (about 40 s from nothing)."""
    missing = sorted({pkg for exe, pkg in PACKAGES.items()
                      if not (shutil.which(exe) or Path(f"/usr/sbin/{exe}").exists())})
    if not missing:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"installing {' '.join(missing)}", file=sys.stderr)
    if _run("apt-get", "install", "-y", "-q", *missing, check=False, env=env).returncode != 0:
        _run("apt-get", "update", "-q", env=env)
        _run("apt-get", "install", "-y", "-q", *missing, env=env)


def _node() -> tuple[str, int, int]:
    """This host's name, CPUs and memory (MB) as slurmd sees them."""
    line = _run("slurmd", "-C").stdout.split("\n")[0]
    fields = dict(item.split("=", 1) for item in line.split() if "=" in item)
    return fields["NodeName"], int(fields["CPUs"]), int(fields["RealMemory"])


def configure(state: Path) -> str:
    """Write slurm.conf and slurmdbd.conf; the node's name."""
    node, cpus, memory = _node()
    host = socket.gethostname()
    for sub in ("slurmctld", "slurmd", "log"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    ETC.mkdir(parents=True, exist_ok=True)
    (ETC / "slurm.conf").write_text(f"""# written by trisim experiments/slurm/cluster.py: one node, for tests
ClusterName={CLUSTER}
SlurmctldHost={host}
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=2048
ReturnToService=2
KillWait=2
MinJobAge=30
MailProg=/bin/true
StateSaveLocation={state}/slurmctld
SlurmdSpoolDir={state}/slurmd
SlurmctldPidFile={state}/slurmctld.pid
SlurmdPidFile={state}/slurmd.pid
SlurmctldLogFile={state}/log/slurmctld.log
SlurmdLogFile={state}/log/slurmd.log
NodeName={node} CPUs={cpus} RealMemory={memory} State=UNKNOWN
PartitionName=debug Nodes={node} Default=YES MaxTime=INFINITE State=UP
""")
    dbd = ETC / "slurmdbd.conf"
    dbd.write_text(f"""# written by trisim experiments/slurm/cluster.py
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
PidFile={state}/slurmdbd.pid
LogFile={state}/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort={DB_PORT}
StorageUser=slurm
StoragePass={DB_PASSWORD}
StorageLoc=slurm_acct_db
""")
    dbd.chmod(0o600)  # slurmdbd refuses a readable config (it holds the password)
    return node


def _start(name: str, cmd: list[str], state: Path, pids: dict[str, int], **kwargs) -> None:
    log = open(state / "log" / f"{name}.out", "ab")  # noqa: SIM115 - the daemon keeps it open
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, **kwargs)
    pids[name] = proc.pid
    (state / "pids.json").write_text(json.dumps(pids))


def _wait(what: str, ready, timeout: float, pids: dict[str, int], name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if not _alive(pids[name]):
            raise ClusterError(f"{name} exited while starting ({what}); see its log in the state folder")
        time.sleep(0.25)
    raise ClusterError(f"{what}: not ready after {timeout:.0f} s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped) counts as dead
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start(state: Path) -> None:
    """Install, configure and start the daemons; return once the node is idle."""
    if os.geteuid() != 0:
        raise ClusterError("run as root: it installs packages, writes /etc/slurm and starts the daemons")
    stop(state, quiet=True)
    install()
    # a fresh state each time: job ids then start at 1 in an empty accounting database, so that
    # sacct never answers for a job of an earlier cluster with the same id
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    node = configure(state)
    pids: dict[str, int] = {}
    try:
        munge = pwd.getpwnam("munge")
        Path("/run/munge").mkdir(exist_ok=True)
        os.chown("/run/munge", munge.pw_uid, munge.pw_gid)
        if not Path("/etc/munge/munge.key").exists():
            _run("runuser", "-u", "munge", "--", "/usr/sbin/mungekey", "--create")
        _start("munged", ["runuser", "-u", "munge", "--", "/usr/sbin/munged", "--foreground"], state, pids)
        _wait("munge", lambda: _run("sh", "-c", "munge -n | unmunge", check=False).returncode == 0, 20, pids,
              "munged")

        mysql = pwd.getpwnam("mysql")
        data = state / "mysql"
        if not (data / "mysql").is_dir():
            data.mkdir(parents=True, exist_ok=True)
            os.chown(data, mysql.pw_uid, mysql.pw_gid)
            _run("mariadb-install-db", "--user=mysql", f"--datadir={data}", "--skip-test-db")
        sock = state / "mysqld.sock"
        os.chown(state, mysql.pw_uid, 0)  # mariadbd (as mysql) writes its socket here
        _start("mariadbd", ["/usr/sbin/mariadbd", "--user=mysql", f"--datadir={data}", f"--socket={sock}",
                            f"--port={DB_PORT}", "--bind-address=127.0.0.1", f"--pid-file={state}/mysqld.pid",
                            "--innodb-buffer-pool-size=128M", "--innodb-lock-wait-timeout=900"], state, pids)
        sql = ["mariadb", f"--socket={sock}", "-u", "root"]
        _wait("mariadb", lambda: _run(*sql, "-e", "SELECT 1", check=False).returncode == 0, 60, pids, "mariadbd")
        _run(*sql, "-e", f"CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '{DB_PASSWORD}'; "
                         "GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;")

        _start("slurmdbd", ["/usr/sbin/slurmdbd", "-D"], state, pids)
        _wait("slurmdbd", lambda: _run("sacctmgr", "-n", "list", "cluster", check=False).returncode == 0, 60, pids,
              "slurmdbd")
        if CLUSTER not in _run("sacctmgr", "-n", "-P", "list", "cluster", "format=cluster").stdout.split():
            _run("sacctmgr", "-i", "add", "cluster", CLUSTER)
        _start("slurmctld", ["/usr/sbin/slurmctld", "-D", "-i"], state, pids)
        _wait("slurmctld", lambda: _run("scontrol", "ping", check=False).stdout.count("UP") > 0, 60, pids,
              "slurmctld")
        _start("slurmd", ["/usr/sbin/slurmd", "-D", "-N", node], state, pids)

        def idle() -> bool:
            out = _run("sinfo", "-h", "-N", "-o", "%T", check=False).stdout.split()
            return bool(out) and all(s.rstrip("*") in ("idle", "mixed", "allocated") for s in out)

        _wait("the node", idle, 90, pids, "slurmd")
        _wait("accounting", lambda: _run("sacct", "-n", "-X", check=False).returncode == 0, 30, pids, "slurmctld")
    except BaseException:
        stop(state, quiet=True)
        raise
    print(f"slurm: node {node} idle; daemons {pids}; stop with: {sys.executable} {__file__} stop --state {state}",
          file=sys.stderr)


def stop(state: Path, quiet: bool = False) -> None:
    """Cancel every job and stop the daemons ``start`` started (by PID, newest first)."""
    path = state / "pids.json"
    try:
        pids = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    if "slurmctld" in pids and _alive(pids["slurmctld"]):
        _run("scancel", "--full", "--user", "root", check=False, timeout=20)
    for name, pid in reversed(list(pids.items())):
        if not _alive(pid):
            continue
        with_group = name == "munged"  # runuser's child is the daemon itself
        try:
            os.killpg(pid, signal.SIGTERM) if with_group else os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        deadline = time.monotonic() + 15
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    if not quiet:
        print(f"slurm: stopped {', '.join(pids)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A one-node SLURM cluster with accounting, for tests.")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE, help=f"daemons' files (default {DEFAULT_STATE})")
    args = parser.parse_args(argv)
    try:
        start(args.state.resolve()) if args.action == "start" else stop(args.state.resolve())
    except (ClusterError, subprocess.SubprocessError, OSError, KeyError) as err:
        print(f"slurm: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
