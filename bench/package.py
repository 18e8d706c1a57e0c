"""The Lambda asset, zipped in memory the way the CDK construct selects it.

``stacks/lambda_runtime.function_code`` ships the ``stats_api`` package alone, without its
``__pycache__`` directories. boto3 comes with the Lambda runtime and Powertools (its extras
not needed) from the Powertools layer, so neither is in the asset.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import aws_lambda_powertools

import stats_api

# Fixed timestamps: the same sources always give the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Archive:
    files: int
    unzipped_bytes: int
    zipped_bytes: int
    data: bytes


def zip_package(package_dir: Path) -> Archive:
    """``package_dir`` zipped under its own name, ``__pycache__`` left out."""
    buffer = io.BytesIO()
    files = unzipped = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(package_dir.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            data = path.read_bytes()
            name = path.relative_to(package_dir.parent).as_posix()
            archive.writestr(zipfile.ZipInfo(name, _EPOCH), data, zipfile.ZIP_DEFLATED)
            files += 1
            unzipped += len(data)
    return Archive(files, unzipped, len(buffer.getvalue()), buffer.getvalue())


def lambda_asset() -> Archive:
    return zip_package(Path(stats_api.__file__).resolve().parent)


def layer_packages() -> Archive:
    """What bundling Powertools into the asset would add (for scale)."""
    sizes = [
        zip_package(Path(module.__file__).resolve().parent)
        for module in (aws_lambda_powertools,)
        if module.__file__
    ]
    return Archive(
        files=sum(a.files for a in sizes),
        unzipped_bytes=sum(a.unzipped_bytes for a in sizes),
        zipped_bytes=sum(a.zipped_bytes for a in sizes),
        data=b"",
    )
