"""The content team's side of signed content updates: a TUF repository in a folder.

Built on python-tuf's metadata API (tuf.api.metadata) and securesystemslib's CryptoSigner
(Ed25519 through cryptography). The repository folder is what a static web server serves:

    REPO/metadata/   1.root.json … N.root.json, N.targets.json, N.snapshot.json, timestamp.json
    REPO/targets/    <sha256>.content-pack.tar.gz   (consistent snapshot: a name never changes meaning)

The keys folder holds one PEM (PKCS#8) private key per role: root-1.pem, root-2.pem,
root-3.pem (offline: root needs 2 of the 3), targets.pem (the content team), snapshot.pem and
timestamp.pem (online: `publish` renews them, the timestamp expires within a day or two, so a
mirror that stops updating is noticed by every kiosk: a freeze).

A pack is one deterministic tar.gz of a content folder (sorted names, no owner, no times), so
the same folder always gives the same bytes and the same hash.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import shutil
import tarfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    SPECIFICATION_VERSION,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from kiosk.files import write_atomic

log = logging.getLogger(__name__)

PACK_TARGET = "content-pack.tar.gz"
ROOT_KEYS = ("root-1", "root-2", "root-3")
ROOT_THRESHOLD = 2
ONLINE_ROLES = ("targets", "snapshot", "timestamp")
ROTATABLE = (*ROOT_KEYS, *ONLINE_ROLES)

ROOT_EXPIRY = timedelta(days=365)
TARGETS_EXPIRY = timedelta(days=90)
SNAPSHOT_EXPIRY = timedelta(days=7)
TIMESTAMP_EXPIRY = timedelta(days=1)
TIMESTAMP_EXPIRY_MAX = timedelta(days=2)


class RepoError(Exception):
    """One line for the content team: what is wrong and what to do."""


@dataclass(frozen=True)
class SignedPack:
    version: str
    sha256: str
    length: int
    targets_version: int


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


# ----- keys ----------------------------------------------------------------------------------
def _key_path(keys_dir: Path, name: str) -> Path:
    return keys_dir / f"{name}.pem"


def _write_key(keys_dir: Path, name: str, signer: CryptoSigner) -> None:
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = _key_path(keys_dir, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(signer.private_bytes)


def load_signer(keys_dir: Path, name: str) -> CryptoSigner:
    path = _key_path(keys_dir, name)
    try:
        private = load_pem_private_key(path.read_bytes(), None)
    except FileNotFoundError:
        raise RepoError(f"{path}: key not found (mount the key's medium, or pass --keys)") from None
    except ValueError as e:
        raise RepoError(f"{path}: not a PEM private key ({e})") from None
    return CryptoSigner(private)


def _signers_for(keys_dir: Path, root: Root, role: str) -> list[CryptoSigner]:
    """Every available signer whose key the root lists for role."""
    wanted = set(root.roles[role].keyids)
    names = ROOT_KEYS if role == "root" else (role,)
    found = []
    for name in names:
        if _key_path(keys_dir, name).exists():
            signer = load_signer(keys_dir, name)
            if signer.public_key.keyid in wanted:
                found.append(signer)
    return found


# ----- metadata files -----------------------------------------------------------------------
def _meta_dir(repo: Path) -> Path:
    return repo / "metadata"


def _write_meta(repo: Path, md: Metadata, versioned: bool) -> None:
    role = md.signed.type
    data = md.to_bytes(JSONSerializer(compact=False))
    folder = _meta_dir(repo)
    folder.mkdir(parents=True, exist_ok=True)
    if versioned:
        write_atomic(folder / f"{md.signed.version}.{role}.json", data)
    if role in ("root", "timestamp"):
        write_atomic(folder / f"{role}.json", data)  # root.json: the newest, to ship with an install


def _latest(repo: Path, role: str) -> Metadata:
    folder = _meta_dir(repo)
    if role == "timestamp":
        path = folder / "timestamp.json"
        if not path.exists():
            raise RepoError(f"{path}: missing; run `kiosk content-repo init` first")
    else:
        versions = sorted((int(p.name.split(".")[0]), p) for p in folder.glob(f"*.{role}.json")
                          if p.name.split(".")[0].isdigit())
        if not versions:
            raise RepoError(f"{folder}: no {role} metadata; run `kiosk content-repo init` first")
        path = versions[-1][1]
    try:
        return Metadata.from_bytes(path.read_bytes())
    except ValueError as e:
        raise RepoError(f"{path}: not valid metadata ({e})") from None


def _sign(md: Metadata, signers: list[CryptoSigner], role: str) -> None:
    if not signers:
        raise RepoError(f"no key for the {role} role in the keys folder")
    md.signatures.clear()
    for signer in signers:
        md.sign(signer, append=True)


# ----- the pack ------------------------------------------------------------------------------
def pack_bytes(content_dir: Path) -> bytes:
    """The deterministic tar.gz of a content folder: same files, same bytes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(content_dir.rglob("*")):
            rel = path.relative_to(content_dir).as_posix()
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                raise RepoError(f"{path}: only plain files and folders go in a pack")
            info = tarfile.TarInfo(rel)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            if path.is_dir():
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                data = path.read_bytes()
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


# ----- commands ------------------------------------------------------------------------------
def init(repo: Path, keys_dir: Path) -> None:
    """Keys for every role and version 1 of every metadata file, with an empty targets list."""
    if (_meta_dir(repo) / "1.root.json").exists():
        raise RepoError(f"{repo}: already a repository (1.root.json exists)")
    taken = [n for n in (*ROOT_KEYS, *ONLINE_ROLES) if _key_path(keys_dir, n).exists()]
    if taken:
        raise RepoError(f"{keys_dir}: keys already there ({', '.join(taken)}); use an empty folder")
    signers = {name: CryptoSigner.generate_ed25519() for name in (*ROOT_KEYS, *ONLINE_ROLES)}
    for name, signer in signers.items():
        _write_key(keys_dir, name, signer)
    now = _now()
    root = Root(expires=now + ROOT_EXPIRY, consistent_snapshot=True)
    for name in ROOT_KEYS:
        root.add_key(signers[name].public_key, "root")
    root.roles["root"].threshold = ROOT_THRESHOLD
    for role in ONLINE_ROLES:
        root.add_key(signers[role].public_key, role)
    root_md = Metadata(root)
    _sign(root_md, [signers[n] for n in ROOT_KEYS], "root")
    _write_meta(repo, root_md, versioned=True)
    targets_md = Metadata(Targets(expires=now + TARGETS_EXPIRY))
    _sign(targets_md, [signers["targets"]], "targets")
    _write_meta(repo, targets_md, versioned=True)
    (repo / "targets").mkdir(parents=True, exist_ok=True)
    _renew(repo, keys_dir)
    log.info("repository created in %s, keys in %s (root: %d of %d)", repo, keys_dir, ROOT_THRESHOLD, len(ROOT_KEYS))


def _renew(repo: Path, keys_dir: Path, *, timestamp_expiry: timedelta = TIMESTAMP_EXPIRY,
           now: datetime | None = None) -> None:
    """New snapshot (naming the newest targets) and timestamp, signed by the online keys."""
    if timestamp_expiry > TIMESTAMP_EXPIRY_MAX:
        raise RepoError(f"a timestamp must expire within {TIMESTAMP_EXPIRY_MAX.days} days")
    now = now or _now()
    root = _latest(repo, "root").signed
    targets = _latest(repo, "targets").signed
    try:
        snapshot_version = _latest(repo, "snapshot").signed.version + 1
    except RepoError:
        snapshot_version = 1
    snapshot = Snapshot(version=snapshot_version, expires=now + SNAPSHOT_EXPIRY,
                        meta={"targets.json": MetaFile(version=targets.version)})
    snapshot_md = Metadata(snapshot)
    _sign(snapshot_md, _signers_for(keys_dir, root, "snapshot"), "snapshot")
    _write_meta(repo, snapshot_md, versioned=True)
    try:
        timestamp_version = _latest(repo, "timestamp").signed.version + 1
    except RepoError:
        timestamp_version = 1
    timestamp = Timestamp(version=timestamp_version, expires=now + timestamp_expiry,
                          snapshot_meta=MetaFile(version=snapshot_version))
    timestamp_md = Metadata(timestamp)
    _sign(timestamp_md, _signers_for(keys_dir, root, "timestamp"), "timestamp")
    _write_meta(repo, timestamp_md, versioned=False)


def sign_pack(repo: Path, keys_dir: Path, content_dir: Path, version: str, *, validate: bool = True,
              timestamp_expiry: timedelta = TIMESTAMP_EXPIRY) -> SignedPack:
    """Put the pack made of content_dir in the repository, signed as `version`."""
    if validate:
        from kiosk.content.loader import load_pack  # raises ContentError: one line per problem
        load_pack(content_dir, strict=True)
    data = pack_bytes(content_dir)
    target = TargetFile.from_data(PACK_TARGET, data, ["sha256"])
    target.unrecognized_fields["custom"] = {"version": version, "signed_at": _now().isoformat()}
    digest = target.hashes["sha256"]
    folder = repo / "targets"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / f"{digest}.{PACK_TARGET}", data)
    root = _latest(repo, "root").signed
    targets_md = _latest(repo, "targets")
    targets_md.signed.targets = {PACK_TARGET: target}  # one pack at a time: the newest is the one
    targets_md.signed.version += 1
    targets_md.signed.expires = _now() + TARGETS_EXPIRY
    _sign(targets_md, _signers_for(keys_dir, root, "targets"), "targets")
    _write_meta(repo, targets_md, versioned=True)
    _renew(repo, keys_dir, timestamp_expiry=timestamp_expiry)
    log.info("pack %s signed: %d bytes, sha256 %s, targets version %d", version, len(data), digest[:12],
             targets_md.signed.version)
    return SignedPack(version, digest, len(data), targets_md.signed.version)


def publish(repo: Path, keys_dir: Path, out_dir: Path, *, timestamp_expiry: timedelta = TIMESTAMP_EXPIRY,
            now: datetime | None = None) -> int:
    """Renew snapshot and timestamp, then copy the repository to out_dir (what the web server serves).

    Targets first, then versioned metadata, timestamp.json last: a kiosk reading during the
    copy sees the old timestamp (and the old files it names) or the new one. Run it daily
    (cron or a systemd timer) so the timestamp never expires. Returns the files copied."""
    _renew(repo, keys_dir, timestamp_expiry=timestamp_expiry, now=now)
    copied = 0
    for sub in ("targets", "metadata"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
        for path in sorted((repo / sub).iterdir()):
            if path.name == "timestamp.json" or not path.is_file():
                continue
            dest = out_dir / sub / path.name
            if not dest.exists() or dest.stat().st_size != path.stat().st_size or path.name == "root.json":
                write_atomic(dest, path.read_bytes())
                copied += 1
    write_atomic(out_dir / "metadata" / "timestamp.json", (_meta_dir(repo) / "timestamp.json").read_bytes())
    log.info("published %s to %s (%d files)", repo, out_dir, copied + 1)
    return copied + 1


def rotate_key(repo: Path, keys_dir: Path, name: str) -> str:
    """Replace one key (root-1..3, targets, snapshot, timestamp) with a new one; returns its keyid.

    A new root version lists the new key instead of the old; it is signed by a threshold of
    the old root keys and of the new ones, so kiosks holding the old root accept it. The old
    private key is kept as <name>.pem.retired-<date> until the team destroys it."""
    if name not in ROTATABLE:
        raise RepoError(f"cannot rotate « {name} »: one of {', '.join(ROTATABLE)}")
    root_md = _latest(repo, "root")
    root = root_md.signed
    role = "root" if name in ROOT_KEYS else name
    old_signers = _signers_for(keys_dir, root, "root")
    if len(old_signers) < root.roles["root"].threshold:
        raise RepoError(f"{keys_dir}: {len(old_signers)} root key(s) present, {root.roles['root'].threshold} "
                        "needed to sign a new root: mount the offline keys")
    old = load_signer(keys_dir, name)
    new = CryptoSigner.generate_ed25519()
    root.revoke_key(old.public_key.keyid, role)
    root.add_key(new.public_key, role)
    root.version += 1
    root.expires = _now() + ROOT_EXPIRY
    path = _key_path(keys_dir, name)
    path.rename(path.with_name(f"{path.name}.retired-{_now():%Y%m%dT%H%M%S}"))
    _write_key(keys_dir, name, new)
    new_root_signers = [s for s in old_signers if s.public_key.keyid != old.public_key.keyid]
    if role == "root":
        new_root_signers.append(new)
    signers = {s.public_key.keyid: s for s in (*old_signers, *new_root_signers)}
    _sign(root_md, list(signers.values()), "root")
    _write_meta(repo, root_md, versioned=True)
    if role == "targets":
        targets_md = _latest(repo, "targets")
        targets_md.signed.version += 1
        _sign(targets_md, [new], "targets")
        _write_meta(repo, targets_md, versioned=True)
    _renew(repo, keys_dir)
    log.info("%s key rotated: root version %d", name, root.version)
    return new.public_key.keyid


def copy_root(repo: Path, dest: Path) -> None:
    """The newest root.json, to ship with the kiosk install as [updates] trusted_root."""
    shutil.copyfile(_meta_dir(repo) / "root.json", dest)


__all__ = ["PACK_TARGET", "SPECIFICATION_VERSION", "RepoError", "SignedPack", "copy_root", "init", "pack_bytes",
           "publish", "rotate_key", "sign_pack"]
